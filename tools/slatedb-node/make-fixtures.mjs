#!/usr/bin/env node
// Generates SlateDB 0.12.1 test fixtures with the real engine (official Node binding).
//
//   node tools/slatedb-node/make-fixtures.mjs <out-dir> <seed> [--codecs none,Zstd]
//
// For each compression codec it writes <out>/<codec>/db (the database objects) and
// <out>/<codec>/expected.json (the workload's model of the final state, checked against the
// engine after reopening copies of the database). See the README next to the fixtures.
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { WriteBatch } from "@slatedb/uniffi";
import {
  DEFAULT_PUT, NO_WAIT, ObjectStore, flushMemtable, flushWal, makeSettings, metric, newRecorder, openDb,
  sleep, storeUrl, ttlOption,
} from "./lib/engine.mjs";
import { checkReaderView, checkWithWriter, readWithReader, sameBytes } from "./lib/verify.mjs";
import { buildWorkload } from "./lib/workload.mjs";
import { census } from "./lib/census.mjs";
import { num } from "./lib/hex.mjs";

const SLATEDB_VERSION = "0.12.1";
const BINDING = "@slatedb/uniffi@0.12.1";
const DB_PATH = "db";
const INLINE_VALUE_LIMIT = 4096;

const CODECS = [
  { dir: "none", literal: "null" },
  { dir: "snappy", literal: "\"Snappy\"" },
  { dir: "zlib", literal: "\"Zlib\"" },
  { dir: "lz4", literal: "\"Lz4\"" },
  { dir: "zstd", literal: "\"Zstd\"" },
];

/** Settings (dotted key -> JSON literal) used while generating. */
function generationSettings(codecLiteral) {
  return {
    compression_codec: codecLiteral,
    l0_sst_size_bytes: "65536",
    flush_interval: "null",
    manifest_poll_interval: "\"100ms\"",
    "compactor_options.poll_interval": "\"100ms\"",
    "compactor_options.max_sst_size": "65536",
    garbage_collector_options: "null",
  };
}

/** Settings for verification opens: same codec, no compactor or GC, so the copy is not reshaped. */
function verificationSettings(codecLiteral) {
  return { ...generationSettings(codecLiteral), compactor_options: "null" };
}

function effectiveSettings(overrides) {
  const settings = makeSettings(overrides);
  try {
    return JSON.parse(settings.to_json_string());
  } finally {
    settings.dispose();
  }
}

function parseArgs(argv) {
  const positional = [];
  let codecs = CODECS;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--codecs") {
      const wanted = argv[++i].split(",").map((c) => c.toLowerCase());
      codecs = CODECS.filter((c) => wanted.includes(c.dir));
    } else {
      positional.push(argv[i]);
    }
  }
  if (positional.length !== 2 || !/^\d+$/.test(positional[1])) {
    console.error("usage: node make-fixtures.mjs <out-dir> <seed (unsigned integer)> [--codecs none,zstd]");
    process.exit(2);
  }
  return { out: path.resolve(positional[0]), seed: Number(positional[1]), codecs };
}

function expireTs(ttl, createTs) {
  if (ttl === undefined || ttl.none) return null;
  if (ttl.at_ms !== undefined) return ttl.at_ms;
  return createTs + ttl.after_ms;
}

function ttlDescription(ttl) {
  if (ttl === undefined) return null;
  if (ttl.none) return "no_expiry";
  if (ttl.at_ms !== undefined) return `expire_at:${ttl.at_ms}`;
  return `expire_after:${ttl.after_ms}`;
}

async function waitForCompaction(recorder) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const finished = metric(recorder, "slatedb.compactor.last_compaction_timestamp_sec") > 0;
    const running = metric(recorder, "slatedb.compactor.running_compactions");
    const l0 = metric(recorder, "slatedb.db.l0_sst_count");
    if (finished && running === 0 && l0 < 4) return true;
    await sleep(50);
  }
  return false;
}

/** Runs the workload against the real engine; returns the model and operation counts. */
async function generate(store, overrides, seed, steps, log) {
  const model = new Map();
  const counts = {
    steps: 0, puts: 0, deletes: 0, batches: 0, batch_ops: 0, ttl_puts: 0, wal_flushes: 0,
    memtable_flushes: 0, sessions: 1, compaction_waits: 0, compaction_observed: false,
  };
  let phase = "load";
  let recorder = newRecorder();
  let db = await openDb(store, DB_PATH, overrides, { seed, recorder });
  const record = (op, handle) => {
    const createTs = num(handle.create_ts);
    model.set(op.key.toString("hex"), {
      key: op.key,
      value: op.op === "put" ? op.value : null,
      ttl: op.op === "put" ? op.ttl : undefined,
      expire_ts: op.op === "put" ? expireTs(op.ttl, createTs) : null,
      seq: num(handle.seqnum),
      create_ts: createTs,
      phase,
    });
    if (op.op === "put") {
      counts.puts++;
      if (op.ttl !== undefined) counts.ttl_puts++;
    } else {
      counts.deletes++;
    }
  };
  try {
    for (const step of steps) {
      counts.steps++;
      switch (step.op) {
        case "put": {
          const options = step.ttl === undefined ? DEFAULT_PUT : { ttl: ttlOption(step.ttl) };
          record(step, await db.put_with_options(step.key, step.value, options, NO_WAIT));
          break;
        }
        case "delete":
          record(step, await db.delete_with_options(step.key, NO_WAIT));
          break;
        case "batch": {
          const batch = new WriteBatch();
          try {
            for (const op of step.ops) {
              if (op.op === "put") batch.put_with_options(op.key, op.value, { ttl: ttlOption(op.ttl) });
              else batch.delete(op.key);
            }
            const handle = await db.write_with_options(batch, NO_WAIT);
            for (const op of step.ops) record(op, handle);
          } finally {
            batch.dispose();
          }
          counts.batches++;
          counts.batch_ops += step.ops.length;
          break;
        }
        case "flush_wal":
          await flushWal(db);
          counts.wal_flushes++;
          break;
        case "flush_memtable":
          await flushMemtable(db);
          counts.memtable_flushes++;
          break;
        case "wait_compaction":
          await flushWal(db);
          counts.compaction_waits++;
          counts.compaction_observed = await waitForCompaction(recorder);
          log(`  compaction ${counts.compaction_observed ? "observed" : "NOT observed"} ` +
            `(bytes_compacted=${metric(recorder, "slatedb.compactor.bytes_compacted")})`);
          break;
        case "reopen":
          await db.shutdown();
          db.dispose();
          recorder.dispose();
          recorder = newRecorder();
          db = await openDb(store, DB_PATH, overrides, { seed: seed + 1, recorder });
          counts.sessions++;
          break;
        case "mark":
          phase = step.name;
          break;
        default:
          throw new Error(`unknown step ${step.op}`);
      }
    }
  } finally {
    await db.shutdown();
    db.dispose();
    recorder.dispose();
  }
  return { model, counts };
}

function entryJson(entry, visible, walOnly) {
  const out = {};
  if (entry.value === null) out.value = null;
  else if (entry.value.length > INLINE_VALUE_LIMIT) {
    out.value_sha256 = crypto.createHash("sha256").update(entry.value).digest("hex");
    out.value_len = entry.value.length;
  } else out.value = entry.value.toString("hex");
  out.expire_ts_ms = entry.expire_ts;
  const ttl = ttlDescription(entry.ttl);
  if (ttl !== null) out.ttl = ttl;
  out.seq = entry.seq;
  out.visible = visible;
  if (walOnly) out.wal_only = true;
  return JSON.stringify(out);
}

function writeExpected(file, header, model, visible, walOnly) {
  const lines = [];
  for (const hex of [...model.keys()].sort()) {
    lines.push(`  ${JSON.stringify(hex)}: ${entryJson(model.get(hex), visible.get(hex), walOnly.has(hex))}`);
  }
  const head = JSON.stringify(header, null, 2);
  const text = `${head.slice(0, -2)},\n  "entries": {\n${lines.join(",\n")}\n  }\n}\n`;
  JSON.parse(text);
  fs.writeFileSync(file, text);
}

/**
 * Proves the model with the real engine (on copies): a DbReader view, a reopened writer's
 * row metadata, and which keys depend on the WAL SSTs after the manifest's replay point.
 */
async function verifyCodec(codecRoot, codec, model, manifest) {
  const now = Date.now();
  const readerView = await readWithReader(codecRoot, DB_PATH, model);
  const { visible, problems } = checkReaderView(readerView, model, now);
  const writer = await checkWithWriter(codecRoot, DB_PATH, verificationSettings(codec.literal), model, visible, now);
  problems.push(...writer.problems);
  // A key's newest version lives only in WAL SSTs when its seq is above the manifest's last L0
  // seq. Proof with the engine: without the WAL objects after the replay point, exactly such
  // keys (and no others) may read differently.
  const walOnly = new Set([...model].filter(([, e]) => e.seq > manifest.last_l0_seq).map(([hex]) => hex));
  const withoutTail = await readWithReader(codecRoot, DB_PATH, model, { dropWalAfter: manifest.replay_after_wal_id });
  let walDependent = 0;
  for (const [hex, value] of readerView.values) {
    const before = withoutTail.values.get(hex);
    const same = before === null ? value === null : value !== null && sameBytes(before, value);
    if (same) continue;
    walDependent++;
    if (!walOnly.has(hex)) problems.push(`${hex} changes without the WAL tail but its seq <= last_l0_seq`);
  }
  if (walDependent === 0) problems.push("no key depends on the WAL tail; it was flushed to L0");
  if (problems.length > 0) {
    throw new Error(`${codec.dir}: model check failed:\n  ${problems.slice(0, 20).join("\n  ")}`);
  }
  const expiredVisible = [...model].filter(([hex, e]) => visible.get(hex) && e.expire_ts !== null && e.expire_ts <= now).length;

  return { now, visible, walOnly, walDependent, expiredVisible, hiddenByWriter: writer.hiddenExpired };
}

async function makeCodec(out, seed, codec, steps, log) {
  const codecRoot = path.join(out, codec.dir);
  fs.rmSync(codecRoot, { recursive: true, force: true });
  fs.mkdirSync(codecRoot, { recursive: true });
  const overrides = generationSettings(codec.literal);
  const store = ObjectStore.resolve(storeUrl(codecRoot));
  const startedAt = Date.now();
  let result;
  let objects;
  try {
    result = await generate(store, overrides, seed, steps, log);
    objects = await census(store, codecRoot, DB_PATH);
  } finally {
    store.dispose();
  }
  const { model, counts } = result;

  const { now, visible, walOnly, walDependent, expiredVisible, hiddenByWriter } =
    await verifyCodec(codecRoot, codec, model, objects.latest_manifest);

  const keysVisible = [...visible.values()].filter(Boolean).length;
  const keysDeleted = [...model.values()].filter((e) => e.value === null).length;
  const header = {
    format: "slatedb-fixture/1",
    slatedb_version: SLATEDB_VERSION,
    binding: BINDING,
    seed,
    codec: codec.dir,
    db_path: DB_PATH,
    settings: overrides,
    settings_effective: effectiveSettings(overrides),
    ops: { ...counts, writes: counts.puts + counts.deletes },
    generated_at_ms: startedAt,
    verified_at_ms: now,
    keys_total: model.size,
    keys_visible: keysVisible,
    keys_deleted: keysDeleted,
    keys_expired_hidden: model.size - keysVisible - keysDeleted,
    keys_expired_visible: expiredVisible,
    keys_expired_hidden_by_writer_reopen: hiddenByWriter,
    keys_wal_only: walOnly.size,
    keys_changed_without_wal_tail: walDependent,
    objects: { ...objects, wal: undefined, compacted: undefined },
    object_list: { wal: objects.wal, compacted: objects.compacted },
  };
  writeExpected(path.join(codecRoot, "expected.json"), header, model, visible, walOnly);
  return header;
}

async function main() {
  const { out, seed, codecs } = parseArgs(process.argv.slice(2));
  const log = (line) => console.log(line);
  const steps = buildWorkload(seed);
  fs.mkdirSync(out, { recursive: true });
  for (const codec of codecs) {
    const started = Date.now();
    log(`${codec.dir}: generating`);
    const h = await makeCodec(out, seed, codec, steps, log);
    const o = h.objects;
    log(`${codec.dir}: ${h.keys_total} keys (${h.keys_visible} visible, ${h.keys_deleted} deleted, ` +
      `${h.keys_expired_hidden} expired+tombstoned, ${h.keys_wal_only} WAL-only), ${h.ops.writes} writes; ` +
      `manifests=${o.manifests} wal=${o.wal_ssts} (empty ${o.wal_empty_ssts}, zero-byte ${o.wal_zero_byte}) ` +
      `l0=${o.l0_ssts} sr_ssts=${o.sorted_run_ssts} runs=${JSON.stringify(o.sorted_runs)} ` +
      `unreferenced=${o.unreferenced_ssts} bytes=${o.total_bytes} in ${Date.now() - started} ms`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
