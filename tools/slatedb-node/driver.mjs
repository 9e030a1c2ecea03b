#!/usr/bin/env node
// Long-running bridge to the real SlateDB 0.12.1 engine for compatibility tests.
//
// Reads newline-delimited JSON commands on stdin and writes exactly one JSON line per command
// on stdout, in order. Keys and values are lowercase hex. A command may carry an "id", which
// is echoed back. Failures are answered as {"error": message, "kind": tag} and never end the
// process; it exits when stdin closes (closing an open database first) or on {"op":"exit"}.
//
//   {"op":"open","store":"file:///abs/root","path":"db","settings":{"compression_codec":"\"Zstd\""}}
//   {"op":"open","path":"file:///abs/root/db"}             (store = parent folder, db path = last segment)
//   {"op":"put","key":"6b","value":"76","ttl_ms":1000,"await_durable":false}
//   {"op":"delete","key":"6b"}
//   {"op":"batch","ops":[{"op":"put","key":"61","value":"31"},{"op":"delete","key":"62"}]}
//   {"op":"get","key":"6b"}                 -> {"ok":true,"value":"76"|null}
//   {"op":"get","key":"6b","meta":true}     -> also seq, create_ts, expire_ts
//   {"op":"scan","start":"61","end":"7a"}   -> {"ok":true,"rows":[["61","31"],...]} (start incl., end excl.)
//   {"op":"flush"} / {"op":"flush","kind":"memtable"}   (default: WAL flush, the engine's flush())
//   {"op":"close"}  {"op":"ping"}  {"op":"exit"}
//   open_merge, merge, merge_batch: see lib/merge-ops.mjs
//   txn_* commands: see lib/txn-ops.mjs
//
// Writes wait for durability like the engine's own put() unless "await_durable":false is given.
import readline from "node:readline";
import { WriteBatch } from "@slatedb/uniffi";
import {
  FULL_RANGE, ObjectStore, drain, flushMemtable, flushWal, openDb, ttlOption,
} from "./lib/engine.mjs";
import { fromHex, num, toHex } from "./lib/hex.mjs";
import { mergeOps } from "./lib/merge-ops.mjs";
import { txnOps } from "./lib/txn-ops.mjs";
import { walOps } from "./lib/wal-ops.mjs";
import { readerOps } from "./lib/reader-ops.mjs";

const VERSION = "0.12.1";

class BadRequest extends Error {}

let store = null;
let db = null;

function requireDb() {
  if (db === null) throw new BadRequest("no database is open");
  return db;
}

function splitTarget(cmd) {
  if (typeof cmd.store === "string") {
    if (typeof cmd.path !== "string") throw new BadRequest("open needs a db path");
    return { url: cmd.store, dbPath: cmd.path };
  }
  if (typeof cmd.path !== "string" || !cmd.path.startsWith("file://")) {
    throw new BadRequest("open needs store (object store URL) and path, or path as a file:// URL");
  }
  const url = new URL(cmd.path);
  const parts = url.pathname.replace(/\/+$/, "").split("/");
  const dbPath = parts.pop();
  if (!dbPath) throw new BadRequest("file:// path must name the database folder");
  return { url: `file://${parts.join("/") || "/"}`, dbPath };
}

function putOptions(cmd) {
  if (cmd.ttl_ms === undefined || cmd.ttl_ms === null) return { ttl: ttlOption(undefined) };
  if (!Number.isSafeInteger(cmd.ttl_ms) || cmd.ttl_ms < 0) throw new BadRequest("ttl_ms must be a non-negative integer");
  return { ttl: ttlOption({ after_ms: cmd.ttl_ms }) };
}

function writeOptions(cmd) {
  return { await_durable: cmd.await_durable !== false };
}

function bound(hex, what) {
  return hex === undefined || hex === null ? undefined : fromHex(hex, what);
}

const handlers = {
  ...txnOps({ requireDb }),

  ...walOps,
  ...readerOps,
  ping: async () => ({ version: VERSION, open: db !== null }),

  open: async (cmd) => {
    if (db !== null) throw new BadRequest("a database is already open; close it first");
    const { url, dbPath } = splitTarget(cmd);
    const settings = cmd.settings ?? {};
    for (const [key, literal] of Object.entries(settings)) {
      if (typeof literal !== "string") throw new BadRequest(`setting ${key} must be a JSON literal string`);
    }
    const opened = ObjectStore.resolve(url);
    try {
      db = await openDb(opened, dbPath, settings, cmd.seed === undefined ? {} : { seed: cmd.seed });
      store = opened;
    } catch (error) {
      opened.dispose();
      throw error;
    }
    return {};
  },

  put: async (cmd) => {
    const key = fromHex(cmd.key, "key");
    const value = fromHex(cmd.value, "value");
    const handle = await requireDb().put_with_options(key, value, putOptions(cmd), writeOptions(cmd));
    return { seq: num(handle.seqnum), create_ts: num(handle.create_ts) };
  },

  delete: async (cmd) => {
    const handle = await requireDb().delete_with_options(fromHex(cmd.key, "key"), writeOptions(cmd));
    return { seq: num(handle.seqnum), create_ts: num(handle.create_ts) };
  },

  batch: async (cmd) => {
    if (!Array.isArray(cmd.ops)) throw new BadRequest("batch needs ops: [...]");
    const target = requireDb();
    const batch = new WriteBatch();
    try {
      for (const op of cmd.ops) {
        if (op.op === "put") batch.put_with_options(fromHex(op.key, "key"), fromHex(op.value, "value"), putOptions(op));
        else if (op.op === "delete") batch.delete(fromHex(op.key, "key"));
        else throw new BadRequest(`unknown batch op ${JSON.stringify(op.op)}`);
      }
      const handle = await target.write_with_options(batch, writeOptions(cmd));
      return { seq: num(handle.seqnum), create_ts: num(handle.create_ts) };
    } finally {
      batch.dispose();
    }
  },

  get: async (cmd) => {
    const key = fromHex(cmd.key, "key");
    if (!cmd.meta) {
      const value = await requireDb().get(key);
      return { value: value === undefined ? null : toHex(value) };
    }
    const kv = await requireDb().get_key_value(key);
    if (kv === undefined) return { value: null };
    return { value: toHex(kv.value), seq: num(kv.seq), create_ts: num(kv.create_ts), expire_ts: num(kv.expire_ts) };
  },

  scan: async (cmd) => {
    const range = { ...FULL_RANGE, start: bound(cmd.start, "start"), end: bound(cmd.end, "end") };
    const rows = await drain(await requireDb().scan(range));
    return { rows: rows.map((row) => [toHex(row.key), toHex(row.value)]) };
  },

  flush: async (cmd) => {
    const kind = cmd.kind ?? "wal";
    if (kind === "wal") await flushWal(requireDb());
    else if (kind === "memtable") await flushMemtable(requireDb());
    else throw new BadRequest("flush kind must be wal or memtable");
    return {};
  },

  close: async () => {
    await closeDb();
    return {};
  },

  ...mergeOps({ requireDb, isOpen: () => db !== null, adopt: (opened, built) => { store = opened; db = built; }, splitTarget, BadRequest }),
};

async function closeDb() {
  const target = requireDb();
  db = null;
  try {
    await target.shutdown();
  } finally {
    target.dispose();
    store?.dispose();
    store = null;
  }
}

function errorResponse(error) {
  if (error instanceof BadRequest || error instanceof TypeError || error instanceof SyntaxError) {
    return { error: error.message, kind: "BadRequest" };
  }
  const kind = typeof error?.tag === "string" ? error.tag : error?.constructor?.name ?? "Error";
  return { error: String(error?.message ?? error), kind };
}

async function handleLine(line) {
  if (line.trim() === "") return null;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (error) {
    return errorResponse(error);
  }
  const id = cmd?.id;
  const withId = (body) => (id === undefined ? body : { id, ...body });
  try {
    if (cmd === null || typeof cmd !== "object") throw new BadRequest("command must be a JSON object");
    if (cmd.op === "exit") return withId({ ok: true, exit: true });
    const handler = Object.hasOwn(handlers, cmd.op) ? handlers[cmd.op] : undefined;
    if (handler === undefined) throw new BadRequest(`unknown op ${JSON.stringify(cmd.op)}`);
    return withId({ ok: true, ...(await handler(cmd)) });
  } catch (error) {
    return withId(errorResponse(error));
  }
}

async function main() {
  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of input) {
    const response = await handleLine(line);
    if (response === null) continue;
    process.stdout.write(`${JSON.stringify(response)}\n`);
    if (response.exit) break;
  }
  if (db !== null) {
    try {
      await closeDb();
    } catch (error) {
      process.stderr.write(`close on exit failed: ${error?.message ?? error}\n`);
    }
  }
  input.close();
}

process.on("unhandledRejection", (error) => {
  process.stderr.write(`unhandled rejection: ${error?.stack ?? error}\n`);
});

main().catch((error) => {
  process.stderr.write(`driver failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
