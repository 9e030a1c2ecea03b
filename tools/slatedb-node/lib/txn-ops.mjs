// Transaction commands for driver.mjs (SlateDB 0.12.1's DbTransaction). Keys and values are lowercase hex.
//
//   {"op":"txn_begin","isolation":"Snapshot"|"SerializableSnapshot"}  -> {"ok":true,"txn":1,"seq":41}
//   {"op":"txn_put","txn":1,"key":"6b","value":"76"}
//   {"op":"txn_delete","txn":1,"key":"6b"}
//   {"op":"txn_get","txn":1,"key":"6b"}                 -> {"ok":true,"value":"76"|null}
//   {"op":"txn_scan","txn":1,"start":"61","end":"7a"}   -> {"ok":true,"rows":[["61","31"],...]} (start incl., end excl.)
//   {"op":"txn_mark_read","txn":1,"keys":["6b"]}  {"op":"txn_unmark_write","txn":1,"keys":["6b"]}
//   {"op":"txn_commit","txn":1,"await_durable":true}    -> {"ok":true,"seq":42|null,"create_ts":...}
//                                                          (a conflict answers {"error":...,"kind":"Transaction"})
//   {"op":"txn_rollback","txn":1}
//
// The transaction handle is released after commit (whatever the outcome) and rollback.
import { drain, FULL_RANGE } from "./engine.mjs";
import { fromHex, num, toHex } from "./hex.mjs";

/** The handlers, given the driver's accessor for the open database. */
export function txnOps({ requireDb }) {
  const open = new Map();
  let nextId = 1;

  const take = (cmd) => {
    const txn = open.get(cmd.txn);
    if (txn === undefined) throw new TypeError(`no open transaction ${JSON.stringify(cmd.txn)}`);
    return txn;
  };
  const release = (cmd) => {
    const txn = open.get(cmd.txn);
    open.delete(cmd.txn);
    txn?.dispose();
  };
  const keys = (cmd) => {
    if (!Array.isArray(cmd.keys)) throw new TypeError("keys must be an array of hex strings");
    return cmd.keys.map((key) => fromHex(key, "key"));
  };

  return {
    txn_begin: async (cmd) => {
      const isolation = cmd.isolation ?? "Snapshot";
      if (isolation !== "Snapshot" && isolation !== "SerializableSnapshot") {
        throw new TypeError(`unknown isolation ${JSON.stringify(isolation)}`);
      }
      const txn = await requireDb().begin(isolation);
      const id = nextId++;
      open.set(id, txn);
      return { txn: id, seq: num(txn.seqnum()) };
    },

    txn_put: async (cmd) => {
      await take(cmd).put(fromHex(cmd.key, "key"), fromHex(cmd.value, "value"));
      return {};
    },

    txn_delete: async (cmd) => {
      await take(cmd).delete(fromHex(cmd.key, "key"));
      return {};
    },

    txn_get: async (cmd) => {
      const value = await take(cmd).get(fromHex(cmd.key, "key"));
      return { value: value === undefined ? null : toHex(value) };
    },

    txn_scan: async (cmd) => {
      const range = {
        ...FULL_RANGE,
        start: cmd.start == null ? undefined : fromHex(cmd.start, "start"),
        end: cmd.end == null ? undefined : fromHex(cmd.end, "end"),
      };
      const rows = await drain(await take(cmd).scan(range));
      return { rows: rows.map((row) => [toHex(row.key), toHex(row.value)]) };
    },

    txn_mark_read: async (cmd) => {
      await take(cmd).mark_read(keys(cmd));
      return {};
    },

    txn_unmark_write: async (cmd) => {
      await take(cmd).unmark_write(keys(cmd));
      return {};
    },

    txn_commit: async (cmd) => {
      const txn = take(cmd);
      try {
        const handle = await txn.commit_with_options({ await_durable: cmd.await_durable !== false });
        return handle === undefined ? { seq: null } : { seq: num(handle.seqnum), create_ts: num(handle.create_ts) };
      } finally {
        release(cmd);
      }
    },

    txn_rollback: async (cmd) => {
      try {
        await take(cmd).rollback();
      } finally {
        release(cmd);
      }
      return {};
    },
  };
}
