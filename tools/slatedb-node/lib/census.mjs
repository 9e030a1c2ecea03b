// Object census of a database folder: what the engine left on disk and how the latest
// manifest references it. Read-only: it never opens a writer or a reader that could write.
import fs from "node:fs";
import path from "node:path";
import { WalReader } from "@slatedb/uniffi";
import { decodeManifest } from "./manifest.mjs";

function listFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((name) => fs.statSync(path.join(dir, name)).isFile()).sort();
}

function sizeOf(file) {
  return fs.statSync(file).size;
}

async function walRowCounts(store, dbPath) {
  const reader = new WalReader(dbPath, store);
  const counts = new Map();
  try {
    const files = await reader.list(undefined, undefined);
    for (const file of files) {
      const iterator = await file.iterator();
      let rows = 0;
      try {
        while ((await iterator.next()) !== undefined) rows++;
      } finally {
        iterator.dispose();
      }
      counts.set(Number(file.id()), rows);
      file.dispose();
    }
  } finally {
    reader.dispose();
  }
  return counts;
}

export async function census(store, storeRoot, dbPath) {
  const root = path.join(storeRoot, dbPath);
  const manifests = listFiles(path.join(root, "manifest"));
  const compactions = listFiles(path.join(root, "compactions"));
  const walNames = listFiles(path.join(root, "wal"));
  const sstNames = listFiles(path.join(root, "compacted"));
  const latest = manifests.length > 0
    ? decodeManifest(fs.readFileSync(path.join(root, "manifest", manifests[manifests.length - 1])))
    : null;

  const rowCounts = await walRowCounts(store, dbPath);
  const wal = walNames.map((name) => {
    const id = Number(name.replace(/\.sst$/, ""));
    return { id, bytes: sizeOf(path.join(root, "wal", name)), rows: rowCounts.get(id) ?? null };
  });

  const l0 = new Set(latest?.l0 ?? []);
  const inRuns = new Set((latest?.sorted_runs ?? []).flatMap((run) => run.ssts));
  const compacted = sstNames.map((name) => {
    const id = name.replace(/\.sst$/, "");
    const role = l0.has(id) ? "l0" : inRuns.has(id) ? "sorted_run" : "unreferenced";
    return { id, bytes: sizeOf(path.join(root, "compacted", name)), role };
  });

  let totalBytes = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else totalBytes += sizeOf(full);
    }
  };
  walk(root);

  return {
    manifests: manifests.length,
    compactions_files: compactions.length,
    wal_ssts: wal.length,
    wal_zero_byte: wal.filter((w) => w.bytes === 0).length,
    wal_empty_ssts: wal.filter((w) => w.bytes > 0 && w.rows === 0).length,
    wal_after_replay_point: wal.filter((w) => latest && w.id > latest.replay_after_wal_id && w.rows > 0).length,
    compacted_ssts: compacted.length,
    l0_ssts: compacted.filter((c) => c.role === "l0").length,
    sorted_run_ssts: compacted.filter((c) => c.role === "sorted_run").length,
    unreferenced_ssts: compacted.filter((c) => c.role === "unreferenced").length,
    sorted_runs: (latest?.sorted_runs ?? []).map((run) => ({ id: run.id, ssts: run.ssts.length })),
    total_bytes: totalBytes,
    latest_manifest: latest,
    wal,
    compacted,
  };
}
