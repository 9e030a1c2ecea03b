// Merge-operator commands for driver.mjs (SlateDB 0.12.1's merge operator callback).
//
//   {"op":"open_merge","store":"file:///abs/root","path":"db","settings":{...},"merge_operator":{"kind":"append","separator":"2c"}}
//       Opens like "open", with a merge operator installed through DbBuilder.with_merge_operator. Kinds:
//       "append" (existing + separator + operand; the operand alone when there is no existing value; separator in hex)
//       and "int64_add" (8-byte little-endian two's-complement integers, absent = 0, wrapping).
//   {"op":"merge","key":"6b","operand":"76","ttl_ms":1000,"await_durable":false}   -> {"ok":true,"seq":..,"create_ts":..}
//   {"op":"merge_batch","ops":[{"op":"merge","key":"61","operand":"31"},{"op":"put","key":"62","value":"32"},{"op":"delete","key":"63"}]}
//       One WriteBatch with merges, puts and deletes (each may carry "ttl_ms").
//
// The handlers come from mergeOps(ctx): ctx gives the driver's open database and the helpers the driver uses.
import { DbBuilder, ObjectStore, WriteBatch } from "@slatedb/uniffi";
import { makeSettings, ttlOption } from "./engine.mjs";
import { fromHex, num } from "./hex.mjs";

function appendOperator(separator) {
  return {
    merge(_key, existing, operand) {
      if (existing === undefined || existing === null) return Uint8Array.from(operand);
      const out = new Uint8Array(existing.length + separator.length + operand.length);
      out.set(existing, 0);
      out.set(separator, existing.length);
      out.set(operand, existing.length + separator.length);
      return out;
    },
  };
}

function int64AddOperator() {
  const read = (bytes) => {
    if (bytes.length !== 8) throw new Error(`int64_add: ${bytes.length} bytes, expected 8`);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);
  };
  return {
    merge(_key, existing, operand) {
      const sum = BigInt.asIntN(64, (existing === undefined || existing === null ? 0n : read(existing)) + read(operand));
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigInt64(0, sum, true);
      return out;
    },
  };
}

function makeOperator(spec, BadRequest) {
  if (spec === undefined || spec === null || typeof spec !== "object") throw new BadRequest("open_merge needs merge_operator: {kind: ...}");
  if (spec.kind === "append") return appendOperator(fromHex(spec.separator ?? "", "separator"));
  if (spec.kind === "int64_add") return int64AddOperator();
  throw new BadRequest(`unknown merge operator kind ${JSON.stringify(spec.kind)}`);
}

function ttlOf(cmd, BadRequest) {
  if (cmd.ttl_ms === undefined || cmd.ttl_ms === null) return { ttl: ttlOption(undefined) };
  if (!Number.isSafeInteger(cmd.ttl_ms) || cmd.ttl_ms < 0) throw new BadRequest("ttl_ms must be a non-negative integer");
  return { ttl: ttlOption({ after_ms: cmd.ttl_ms }) };
}

/**
 * ctx: { requireDb(), isOpen(), adopt(store, db), splitTarget(cmd), BadRequest }
 */
export function mergeOps(ctx) {
  const { BadRequest } = ctx;
  return {
    open_merge: async (cmd) => {
      if (ctx.isOpen()) throw new BadRequest("a database is already open; close it first");
      const operator = makeOperator(cmd.merge_operator, BadRequest);
      const { url, dbPath } = ctx.splitTarget(cmd);
      const settings = cmd.settings ?? {};
      for (const [key, literal] of Object.entries(settings)) {
        if (typeof literal !== "string") throw new BadRequest(`setting ${key} must be a JSON literal string`);
      }
      const opened = ObjectStore.resolve(url);
      const builder = new DbBuilder(dbPath, opened);
      const built = makeSettings(settings);
      try {
        builder.with_settings(built);
        if (cmd.seed !== undefined) builder.with_seed(BigInt(cmd.seed));
        builder.with_merge_operator(operator);
        ctx.adopt(opened, await builder.build());
      } catch (error) {
        opened.dispose();
        throw error;
      } finally {
        builder.dispose();
        built.dispose();
      }
      return {};
    },

    merge: async (cmd) => {
      const handle = await ctx.requireDb().merge_with_options(
        fromHex(cmd.key, "key"), fromHex(cmd.operand, "operand"), ttlOf(cmd, BadRequest), { await_durable: cmd.await_durable !== false });
      return { seq: num(handle.seqnum), create_ts: num(handle.create_ts) };
    },

    merge_batch: async (cmd) => {
      if (!Array.isArray(cmd.ops)) throw new BadRequest("merge_batch needs ops: [...]");
      const target = ctx.requireDb();
      const batch = new WriteBatch();
      try {
        for (const op of cmd.ops) {
          if (op.op === "merge") batch.merge_with_options(fromHex(op.key, "key"), fromHex(op.operand, "operand"), ttlOf(op, BadRequest));
          else if (op.op === "put") batch.put_with_options(fromHex(op.key, "key"), fromHex(op.value, "value"), ttlOf(op, BadRequest));
          else if (op.op === "delete") batch.delete(fromHex(op.key, "key"));
          else throw new BadRequest(`unknown batch op ${JSON.stringify(op.op)}`);
        }
        const handle = await target.write_with_options(batch, { await_durable: cmd.await_durable !== false });
        return { seq: num(handle.seqnum), create_ts: num(handle.create_ts) };
      } finally {
        batch.dispose();
      }
    },
  };
}
