// Driver commands for SlateDB 0.12.1's WalReader (WAL inspection), spread into driver.mjs's handlers.
//
//   {"op":"wal_read","store":"file:///abs/root","path":"db","start_id":1,"end_id":10}
//     -> {"ok":true,"files":[{"id":1,"size_bytes":123,"location":"db/wal/...sst",
//                            "rows":[{"kind":"Value"|"Tombstone"|"Merge","key":"6b","value":"76"|null,
//                                     "seq":1,"create_ts":123|null,"expire_ts":456|null}, ...]}, ...]}
//     Lists the WAL files (start_id inclusive, end_id exclusive; both optional) and reads each file's rows in the
//     order the reader yields them. Works without an open database (a WalReader needs only the store and path).
//   {"op":"wal_get","store":"file:///abs/root","path":"db","wal_id":3}
//     -> {"ok":true,"wal_id":3,"next_id":4,"rows":[...]}   (one file by id, rows as above; "id" is the request id)
import { ObjectStore, WalReader } from "@slatedb/uniffi";
import { num, toHex } from "./hex.mjs";

function target(cmd) {
  if (typeof cmd.store !== "string" || typeof cmd.path !== "string") {
    throw new Error("wal commands need store (object store URL) and path");
  }
  return cmd;
}

function optionalId(value, what) {
  if (value === undefined || value === null) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${what} must be a non-negative integer`);
  return BigInt(value);
}

function optionalNum(value) {
  return value === undefined || value === null ? null : num(value);
}

async function readRows(file) {
  const rows = [];
  const iterator = await file.iterator();
  try {
    for (;;) {
      const row = await iterator.next();
      if (row === undefined) break;
      rows.push({
        kind: row.kind,
        key: toHex(row.key),
        value: row.value === undefined ? null : toHex(row.value),
        seq: num(row.seq),
        create_ts: optionalNum(row.create_ts),
        expire_ts: optionalNum(row.expire_ts),
      });
    }
  } finally {
    iterator.dispose();
  }
  return rows;
}

async function withReader(cmd, body) {
  const { store: url, path } = target(cmd);
  const store = ObjectStore.resolve(url);
  try {
    const reader = new WalReader(path, store);
    try {
      return await body(reader);
    } finally {
      reader.dispose();
    }
  } finally {
    store.dispose();
  }
}

export const walOps = {
  wal_read: (cmd) => withReader(cmd, async (reader) => {
    const files = await reader.list(optionalId(cmd.start_id, "start_id"), optionalId(cmd.end_id, "end_id"));
    const out = [];
    for (const file of files) {
      const metadata = await file.metadata();
      out.push({
        id: num(file.id()),
        size_bytes: num(metadata.size_bytes),
        location: metadata.location,
        rows: await readRows(file),
      });
    }
    return { files: out };
  }),

  wal_get: (cmd) => withReader(cmd, async (reader) => {
    const id = optionalId(cmd.wal_id, "wal_id");
    if (id === undefined) throw new Error("wal_get needs wal_id");
    const file = reader.get(id);
    return { wal_id: num(file.id()), next_id: num(file.next_id()), rows: await readRows(file) };
  }),
};
