// Thin helpers over the official SlateDB Node binding (@slatedb/uniffi 0.12.1).
import {
  DbBuilder,
  DbReaderBuilder,
  DefaultMetricsRecorder,
  FlushType,
  ObjectStore,
  Settings,
  Ttl,
} from "@slatedb/uniffi";
import { pathToFileURL } from "node:url";
import path from "node:path";

export const NO_WAIT = { await_durable: false };
export const DEFAULT_PUT = { ttl: Ttl.Default() };

/** `file:///abs/dir` URL for a local folder (the binding stores object `a/b` as `dir/a/b`). */
export function storeUrl(folder) {
  return pathToFileURL(path.resolve(folder)).href;
}

/**
 * Builds a Settings object from {dotted.key: jsonLiteral}. Values are JSON literals as the
 * binding expects (`"\"Zstd\""`, `"65536"`, `"null"`).
 */
export function makeSettings(overrides) {
  const settings = Settings.default();
  for (const [key, literal] of Object.entries(overrides)) {
    settings.set(key, literal);
  }
  return settings;
}

export async function openDb(store, dbPath, overrides, { seed, recorder } = {}) {
  const builder = new DbBuilder(dbPath, store);
  const settings = makeSettings(overrides);
  try {
    builder.with_settings(settings);
    if (seed !== undefined) builder.with_seed(BigInt(seed));
    if (recorder !== undefined) builder.with_metrics_recorder(recorder);
    return await builder.build();
  } finally {
    builder.dispose();
    settings.dispose();
  }
}

export async function openReader(store, dbPath, { skipWalReplay = false } = {}) {
  const builder = new DbReaderBuilder(dbPath, store);
  try {
    builder.with_options({
      manifest_poll_interval_ms: 1000,
      checkpoint_lifetime_ms: 600_000,
      max_memtable_bytes: 64 * 1024 * 1024,
      skip_wal_replay: skipWalReplay,
    });
    return await builder.build();
  } finally {
    builder.dispose();
  }
}

export function ttlOption(ttl) {
  if (ttl === undefined || ttl === null) return Ttl.Default();
  if (ttl.after_ms !== undefined) return Ttl.ExpireAfterTicks(BigInt(ttl.after_ms));
  if (ttl.at_ms !== undefined) return Ttl.ExpireAt(BigInt(ttl.at_ms));
  if (ttl.none) return Ttl.NoExpiry();
  throw new TypeError(`unknown ttl ${JSON.stringify(ttl)}`);
}

export async function flushWal(db) {
  await db.flush_with_options({ flush_type: FlushType.Wal });
}

export async function flushMemtable(db) {
  await db.flush_with_options({ flush_type: FlushType.MemTable });
}

/** Collects every row of a scan iterator into [{key, value, seq, expire_ts}]. */
export async function drain(iterator) {
  const rows = [];
  try {
    for (;;) {
      const row = await iterator.next();
      if (row === undefined) return rows;
      rows.push(row);
    }
  } finally {
    iterator.dispose();
  }
}

export const FULL_RANGE = { start: undefined, start_inclusive: true, end: undefined, end_inclusive: false };

export function newRecorder() {
  return new DefaultMetricsRecorder();
}

/** Current numeric value of an unlabelled counter/gauge, or 0 when not registered yet. */
export function metric(recorder, name) {
  const found = recorder.metric_by_name_and_labels(name, []);
  if (found === undefined) return 0;
  const value = found.value[""];
  return typeof value === "object" ? Number(value.count) : Number(value);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { ObjectStore };
