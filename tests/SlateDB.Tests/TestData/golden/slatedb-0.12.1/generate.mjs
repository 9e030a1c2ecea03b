// Writes small databases with the real SlateDB (npm @slatedb/uniffi 0.12.1), one per block compression codec,
// and flushes the memtable so each has one L0 SST (SST format version 2, V2 blocks, 4 KiB block target).
// Usage: node generate.mjs <output folder>
import fs from "node:fs";
import path from "node:path";
import { DbBuilder, ObjectStore, Settings, WriteBatch, Ttl, FlushType } from "@slatedb/uniffi";

const out = path.resolve(process.argv[2] ?? "out");
fs.mkdirSync(out, { recursive: true });

function rows() {
  // Deterministic operations: puts (some with a TTL, so rows carry expire_ts), and deletes.
  const ops = [];
  for (let i = 0; i < 300; i++) {
    const key = Buffer.from(`key-${String(i * 3).padStart(5, "0")}`);
    const value = Buffer.from(`{"id":${i},"name":"row ${i}","pad":"${"x".repeat(i % 40)}"}`);
    if (i % 17 === 5) ops.push({ kind: "delete", key });
    else if (i % 11 === 3) ops.push({ kind: "ttl", key, value });
    else ops.push({ kind: "put", key, value });
  }
  return ops;
}

for (const codec of ["None", "Snappy", "Zlib", "Lz4", "Zstd"]) {
  const dir = path.join(out, `db-${codec.toLowerCase()}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const store = ObjectStore.resolve(`file://${dir}`);
  const settings = Settings.default();
  settings.set("compression_codec", codec === "None" ? "null" : JSON.stringify(codec));
  const builder = new DbBuilder("db", store);
  builder.with_settings(settings);
  const db = await builder.build();
  builder.dispose();
  const batch = new WriteBatch();
  const expected = [];
  for (const op of rows()) {
    if (op.kind === "delete") {
      batch.delete(op.key);
      expected.push(`${op.key.toString("hex")} tombstone`);
    } else if (op.kind === "ttl") {
      batch.put_with_options(op.key, op.value, { ttl: Ttl.ExpireAfterTicks(86_400_000) });
      expected.push(`${op.key.toString("hex")} ${op.value.toString("hex")} ttl`);
    } else {
      batch.put(op.key, op.value);
      expected.push(`${op.key.toString("hex")} ${op.value.toString("hex")}`);
    }
  }
  await db.write(batch);
  await db.flush_with_options({ flush_type: FlushType.MemTable });
  await db.shutdown();
  db.dispose();
  store.dispose();
  fs.writeFileSync(path.join(out, "expected-rows.txt"), expected.join("\n") + "\n");
  console.log(codec, "done");
}
