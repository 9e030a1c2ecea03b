// Small deterministic PRNG (mulberry32) and helpers for seeded workloads.
// Every random choice in the fixture workload goes through one Rng so that a
// seed fully determines the sequence of operations.

export class Rng {
  #state;

  constructor(seed) {
    this.#state = Number(BigInt.asUintN(32, BigInt(seed))) | 0;
  }

  /** Uniform float in [0, 1). */
  next() {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p) {
    return this.next() < p;
  }

  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }

  bytes(length) {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) {
      out[i] = Math.floor(this.next() * 256);
    }
    return out;
  }

  shuffle(items) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

const WORDS = [
  "slate", "object", "store", "wal", "memtable", "flush", "compaction", "sorted", "run", "level",
  "block", "index", "filter", "bloom", "manifest", "epoch", "fence", "writer", "reader", "key",
  "value", "tombstone", "merge", "ttl", "expire", "sequence", "snapshot", "checkpoint", "cache",
  "bucket", "prefix", "range", "scan", "seek", "batch", "durable", "remote", "local", "lz4",
  "zstd", "snappy", "zlib", "alpha", "beta", "gamma", "delta", "omega", "42", "7", "2026",
];

/** Pseudo-text of exactly `length` bytes (compressible, like typical application values). */
export function textValue(rng, length) {
  const parts = [];
  let size = 0;
  while (size < length) {
    const word = rng.pick(WORDS);
    parts.push(word);
    size += word.length + 1;
  }
  return Buffer.from(parts.join(" "), "utf8").subarray(0, length);
}
