// Seeded fixture workload: a fixed list of steps (puts, deletes, batches, TTL puts, flushes,
// a compaction wait and a reopen) derived only from the seed. The executor in
// make-fixtures.mjs applies the steps to the real engine and keeps the model.
import { Rng, textValue } from "./prng.mjs";

export const TTL_SHORT = { after_ms: 1 };
export const TTL_LONG = { after_ms: 10 * 365 * 24 * 3600 * 1000 };
export const TTL_AT_FUTURE = { at_ms: 4_102_444_800_000 }; // 2100-01-01T00:00:00Z
export const TTL_AT_PAST = { at_ms: 1_000_000_000_000 }; // 2001-09-09: expired when written
export const LARGE_VALUE_BYTES = 100 * 1024;

const EDGE_KEYS = [
  [0x00], [0xff], [0x00, 0x00], [0xff, 0xff], [0x00, 0xff], [0xff, 0x00],
  new Array(16).fill(0x00), new Array(16).fill(0xff), [0x00, 0x61], [0x61, 0x00, 0x62],
];

function initialKeys(rng, asciiCount, binaryCount) {
  const seen = new Set();
  const keys = [];
  const add = (buf) => {
    const hex = buf.toString("hex");
    if (buf.length === 0 || seen.has(hex)) return false;
    seen.add(hex);
    keys.push(buf);
    return true;
  };
  const prefixes = ["user", "order", "item", "session", "log"];
  while (keys.length < asciiCount) {
    add(Buffer.from(`${rng.pick(prefixes)}/${String(rng.int(0, 9_999_999)).padStart(7, "0")}`));
  }
  for (const edge of EDGE_KEYS) add(Buffer.from(edge));
  let binary = 0;
  while (binary < binaryCount) {
    const key = rng.bytes(rng.int(1, 24));
    if (rng.chance(0.5)) key[rng.int(0, key.length - 1)] = 0x00;
    if (rng.chance(0.5)) key[rng.int(0, key.length - 1)] = 0xff;
    if (add(key)) binary++;
  }
  add(rng.bytes(512));
  add(Buffer.concat([Buffer.from("long/"), textValue(rng, 2043)]));
  return rng.shuffle(keys);
}

class Planner {
  constructor(rng) {
    this.rng = rng;
    this.steps = [];
    this.live = [];
    this.liveIndex = new Map();
    this.deleted = [];
    this.deletedIndex = new Map();
    this.freshCounter = 0;
  }

  value() {
    return this.rng.chance(0.03) ? Buffer.alloc(0) : textValue(this.rng, this.rng.int(1, 48));
  }

  #remove(list, index, hex) {
    const at = index.get(hex);
    if (at === undefined) return;
    const last = list.pop();
    if (at < list.length) {
      list[at] = last;
      index.set(last.toString("hex"), at);
    }
    index.delete(hex);
  }

  markLive(key) {
    const hex = key.toString("hex");
    this.#remove(this.deleted, this.deletedIndex, hex);
    if (!this.liveIndex.has(hex)) {
      this.liveIndex.set(hex, this.live.length);
      this.live.push(key);
    }
  }

  markDeleted(key) {
    const hex = key.toString("hex");
    this.#remove(this.live, this.liveIndex, hex);
    if (!this.deletedIndex.has(hex)) {
      this.deletedIndex.set(hex, this.deleted.length);
      this.deleted.push(key);
    }
  }

  put(key, value, ttl) {
    this.markLive(key);
    return ttl === undefined ? { op: "put", key, value } : { op: "put", key, value, ttl };
  }

  del(key) {
    this.markDeleted(key);
    return { op: "delete", key };
  }

  fresh(phase) {
    this.freshCounter++;
    return Buffer.from(`fresh/${phase}/${String(this.freshCounter).padStart(5, "0")}`);
  }

  /** One churn operation on a key not in `exclude` (keys already used by the current batch). */
  churnOp(phase, exclude, allowFresh) {
    const rng = this.rng;
    const pickFrom = (list) => {
      for (let tries = 0; tries < 20 && list.length > 0; tries++) {
        const key = rng.pick(list);
        if (!exclude.has(key.toString("hex"))) return key;
      }
      return null;
    };
    const roll = rng.next();
    let key = null;
    let op = null;
    if (roll < 0.48) {
      key = pickFrom(this.live);
      if (key) op = this.put(key, this.value());
    } else if (roll < 0.65) {
      key = pickFrom(this.live);
      if (key) op = this.del(key);
    } else if (roll < 0.73) {
      key = pickFrom(this.live);
      if (key) op = this.put(key, this.value(), TTL_SHORT);
    } else if (roll < 0.81) {
      key = pickFrom(this.live);
      if (key) op = this.put(key, this.value(), TTL_LONG);
    } else if (roll < 0.84) {
      key = pickFrom(this.live);
      if (key) op = this.put(key, this.value(), TTL_AT_FUTURE);
    } else if (roll < 0.85) {
      key = pickFrom(this.live);
      if (key) op = this.put(key, this.value(), TTL_AT_PAST);
    } else if (roll < 0.88) {
      key = pickFrom(this.live);
      if (key) op = this.put(key, this.value(), { none: true });
    } else if (roll < 0.95 || !allowFresh) {
      key = pickFrom(this.deleted);
      if (key) op = this.put(key, this.value());
    } else {
      key = this.fresh(phase);
      op = rng.chance(0.2) ? this.put(key, this.value(), TTL_SHORT) : this.put(key, this.value());
    }
    if (op === null) {
      key = this.fresh(phase);
      op = this.put(key, this.value());
    }
    exclude.add(key.toString("hex"));
    return op;
  }

  /** `count` churn operations as single writes and mixed batches, with WAL flushes. */
  churn(phase, count, { walFlushEvery, allowFresh, batchMax = 16 }) {
    let done = 0;
    let sinceFlush = 0;
    while (done < count) {
      if (this.rng.chance(0.85)) {
        this.steps.push(this.churnOp(phase, new Set(), allowFresh));
        done++;
        sinceFlush++;
      } else {
        const size = Math.min(this.rng.int(2, batchMax), count - done);
        const used = new Set();
        const ops = [];
        for (let i = 0; i < size; i++) ops.push(this.churnOp(phase, used, allowFresh));
        this.steps.push({ op: "batch", ops });
        done += size;
        sinceFlush += size;
      }
      if (sinceFlush >= walFlushEvery) {
        this.steps.push({ op: "flush_wal" });
        sinceFlush = 0;
      }
    }
  }
}

/** Builds the whole workload for `seed`. */
export function buildWorkload(seed) {
  const rng = new Rng(seed);
  const plan = new Planner(rng);
  const steps = plan.steps;
  const keys = initialKeys(rng, 4_700, 300);

  // Session 1, phase "load": every initial key once, singles and batches with a few deletes.
  steps.push({ op: "mark", name: "load" });
  let next = 0;
  let sinceFlush = 0;
  let largeWritten = false;
  while (next < keys.length) {
    let written;
    if (rng.chance(0.85)) {
      steps.push(plan.put(keys[next++], plan.value()));
      written = 1;
    } else {
      const size = Math.min(rng.int(2, 30), keys.length - next);
      const ops = [];
      const used = new Set();
      for (let i = 0; i < size; i++) {
        const key = keys[next++];
        used.add(key.toString("hex"));
        ops.push(plan.put(key, plan.value()));
      }
      if (plan.live.length > 100 && rng.chance(0.3)) {
        const victim = rng.pick(plan.live);
        if (!used.has(victim.toString("hex"))) ops.splice(rng.int(0, ops.length), 0, plan.del(victim));
      }
      steps.push({ op: "batch", ops });
      written = ops.length;
    }
    sinceFlush += written;
    if (sinceFlush >= 600) {
      steps.push({ op: "flush_wal" });
      sinceFlush = 0;
    }
    if (!largeWritten && next >= keys.length / 2) {
      steps.push(plan.put(Buffer.from("large/0001"), textValue(rng, LARGE_VALUE_BYTES)));
      steps.push({ op: "flush_memtable" });
      largeWritten = true;
    }
  }
  steps.push({ op: "flush_wal" });

  // Session 1, phase "churn": overwrites, deletes, TTLs, revivals.
  steps.push({ op: "mark", name: "churn" });
  plan.churn("churn", 1_500, { walFlushEvery: 300, allowFresh: false });
  steps.push({ op: "wait_compaction" });
  plan.churn("churn2", 300, { walFlushEvery: 150, allowFresh: false });

  // Session 2 (new writer epoch, fence WAL, WAL replay of session 1's unflushed tail).
  steps.push({ op: "reopen" });
  steps.push({ op: "mark", name: "post" });
  plan.churn("post", 400, { walFlushEvery: 250, allowFresh: true });
  steps.push(plan.put(Buffer.from("large/0002"), textValue(rng, LARGE_VALUE_BYTES)));
  plan.churn("post", 400, { walFlushEvery: 250, allowFresh: true });
  steps.push({ op: "flush_memtable" });

  // Phase "tail": durable in WAL SSTs only (shutdown flushes the WAL, not the memtable).
  steps.push({ op: "mark", name: "tail" });
  plan.churn("tail", 40, { walFlushEvery: 1_000, allowFresh: true, batchMax: 8 });
  steps.push({ op: "flush_wal" });
  plan.churn("tail", 40, { walFlushEvery: 1_000, allowFresh: true, batchMax: 8 });
  steps.push({ op: "flush_wal" });
  plan.churn("tail", 40, { walFlushEvery: 1_000, allowFresh: true, batchMax: 8 });
  return steps;
}
