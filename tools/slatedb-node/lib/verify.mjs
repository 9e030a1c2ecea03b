// Checks a generated database against the workload model with the real engine. All checks
// run on throw-away copies, so opening readers/writers never changes the fixture itself.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FULL_RANGE, ObjectStore, drain, openDb, openReader, storeUrl } from "./engine.mjs";
import { num, toHex } from "./hex.mjs";

function copyDb(storeRoot, dbPath, label) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `slatedb-fixture-${label}-`));
  fs.cpSync(path.join(storeRoot, dbPath), path.join(root, dbPath), { recursive: true });
  return root;
}

export function sameBytes(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

function expiredAt(entry, now) {
  return entry.expire_ts !== null && entry.expire_ts <= now;
}

/** Full scan must return exactly the keys in `visible` (byte order) with the model's values. */
function checkScan(rows, model, visible, problems, label) {
  const wanted = [...model.keys()].filter((hex) => visible.get(hex)).sort();
  const got = rows.map((row) => toHex(row.key));
  if (got.length !== wanted.length || got.some((hex, i) => hex !== wanted[i])) {
    problems.push(`${label}: full scan returned ${got.length} keys, expected ${wanted.length} in byte order`);
  }
  for (const row of rows) {
    const entry = model.get(toHex(row.key));
    if (entry === undefined || entry.value === null || !sameBytes(row.value, entry.value)) {
      problems.push(`${label}: scan row ${toHex(row.key)} does not match the model`);
    }
  }
}

/**
 * Reads every model key (and a full scan) through a read-only DbReader on a copy. With
 * `dropWalAfter`, WAL objects with a larger id are removed from the copy first, leaving only
 * what L0 and the sorted runs hold (replay stops at the first missing WAL id).
 */
export async function readWithReader(storeRoot, dbPath, model, { dropWalAfter } = {}) {
  const root = copyDb(storeRoot, dbPath, dropWalAfter === undefined ? "reader" : "nowal");
  if (dropWalAfter !== undefined) {
    const walDir = path.join(root, dbPath, "wal");
    for (const name of fs.readdirSync(walDir)) {
      if (Number(name.replace(/\.sst$/, "")) > dropWalAfter) fs.rmSync(path.join(walDir, name));
    }
  }
  const store = ObjectStore.resolve(storeUrl(root));
  const reader = await openReader(store, dbPath, { skipWalReplay: dropWalAfter !== undefined });
  const values = new Map();
  let rows;
  try {
    for (const [hex, entry] of model) {
      const value = await reader.get(entry.key);
      values.set(hex, value === undefined ? null : Buffer.from(value));
    }
    rows = await drain(await reader.scan(FULL_RANGE));
  } finally {
    await reader.shutdown();
    reader.dispose();
    store.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { values, rows };
}

/**
 * Compares a reader's view with the model. A key the model holds a value for may be missing
 * only if it has expired (an L0 flush or compaction rewrote it as a tombstone; 0.12.1 does not
 * hide expired rows on read). Returns per-key visibility.
 */
export function checkReaderView(view, model, now) {
  const visible = new Map();
  const problems = [];
  for (const [hex, entry] of model) {
    const got = view.values.get(hex);
    visible.set(hex, got !== null);
    if (got === null) {
      if (entry.value !== null && !expiredAt(entry, now)) problems.push(`reader: ${hex} missing, model has a live value`);
    } else if (entry.value === null) {
      problems.push(`reader: ${hex} deleted in the model but returned a value`);
    } else if (!sameBytes(got, entry.value)) {
      problems.push(`reader: ${hex} value differs from the model`);
    }
  }
  checkScan(view.rows, model, visible, problems, "reader");
  return { visible, problems };
}

/**
 * Reopens a copy with a real writer (compactor and GC off) and checks row metadata (seq,
 * create_ts, expire_ts) of every key against the model and the reader's visibility. The
 * writer flushes replayed WAL data to L0 on open, which may tombstone more expired rows, so
 * it may hide an expired key the reader still showed, nothing else.
 */
export async function checkWithWriter(storeRoot, dbPath, settings, model, readerVisible, now) {
  const root = copyDb(storeRoot, dbPath, "writer");
  const store = ObjectStore.resolve(storeUrl(root));
  const db = await openDb(store, dbPath, settings);
  const problems = [];
  const visible = new Map();
  let hiddenExpired = 0;
  try {
    for (const [hex, entry] of model) {
      const kv = await db.get_key_value(entry.key);
      visible.set(hex, kv !== undefined);
      if (kv === undefined) {
        if (readerVisible.get(hex)) {
          if (expiredAt(entry, now)) hiddenExpired++;
          else problems.push(`writer: ${hex} missing but the reader returned it`);
        }
        continue;
      }
      if (!readerVisible.get(hex) || entry.value === null) problems.push(`writer: ${hex} returned but not expected`);
      else if (!sameBytes(kv.value, entry.value)) problems.push(`writer: ${hex} value differs`);
      else if (num(kv.seq) !== entry.seq) problems.push(`writer: ${hex} seq ${num(kv.seq)} != ${entry.seq}`);
      else if (num(kv.create_ts) !== entry.create_ts) problems.push(`writer: ${hex} create_ts differs`);
      else if (num(kv.expire_ts) !== entry.expire_ts) {
        problems.push(`writer: ${hex} expire_ts ${num(kv.expire_ts)} != ${entry.expire_ts}`);
      }
    }
    checkScan(await drain(await db.scan(FULL_RANGE)), model, visible, problems, "writer");
  } finally {
    await db.shutdown();
    db.dispose();
    store.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { problems, hiddenExpired };
}
