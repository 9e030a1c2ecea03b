// Driver commands for SlateDB's read replica (DbReader) and checkpoints, used by the .NET compatibility tests.
// One reader at a time, independent of the driver's writer (it may run while this driver or the .NET engine writes).
//
//   {"op":"reader_open","store":"file:///abs/root","path":"db","poll_ms":100,"checkpoint":"<uuid>"}
//        opens SlateDB's DbReader (checkpoint optional: pins the reader to that checkpoint; otherwise SlateDB's
//        default managed checkpoint mode, which follows the newest manifest and the WAL tail)
//   {"op":"reader_get","key":"6b"}                 -> {"ok":true,"value":"76"|null}
//   {"op":"reader_scan","start":"61","end":"7a"}   -> {"ok":true,"rows":[["61","31"],...]}
//   {"op":"reader_close"}
import { DbReaderBuilder, ObjectStore } from "@slatedb/uniffi";
import { FULL_RANGE, drain } from "./engine.mjs";
import { fromHex, toHex } from "./hex.mjs";

let reader = null;
let readerStore = null;

function requireReader() {
  if (reader === null) throw new Error("no reader is open");
  return reader;
}

function bound(hex, what) {
  return hex === undefined || hex === null ? undefined : fromHex(hex, what);
}

export const readerOps = {
  reader_open: async (cmd) => {
    if (reader !== null) throw new Error("a reader is already open; close it first");
    if (typeof cmd.store !== "string" || typeof cmd.path !== "string") throw new Error("reader_open needs store and path");
    const store = ObjectStore.resolve(cmd.store);
    const builder = new DbReaderBuilder(cmd.path, store);
    try {
      const poll = cmd.poll_ms ?? 1000;
      builder.with_options({
        manifest_poll_interval_ms: poll,
        checkpoint_lifetime_ms: Math.max(600_000, 2 * poll),
        max_memtable_bytes: 64 * 1024 * 1024,
        skip_wal_replay: false,
      });
      if (typeof cmd.checkpoint === "string") builder.with_checkpoint_id(cmd.checkpoint);
      reader = await builder.build();
      readerStore = store;
    } catch (error) {
      store.dispose();
      throw error;
    } finally {
      builder.dispose();
    }
    return {};
  },

  reader_get: async (cmd) => {
    const value = await requireReader().get(fromHex(cmd.key, "key"));
    return { value: value === undefined ? null : toHex(value) };
  },

  reader_scan: async (cmd) => {
    const range = { ...FULL_RANGE, start: bound(cmd.start, "start"), end: bound(cmd.end, "end") };
    const rows = await drain(await requireReader().scan(range));
    return { rows: rows.map((row) => [toHex(row.key), toHex(row.value)]) };
  },

  reader_close: async () => {
    if (reader !== null) {
      await reader.shutdown();
      reader.dispose();
      readerStore.dispose();
      reader = null;
      readerStore = null;
    }
    return {};
  },
};
