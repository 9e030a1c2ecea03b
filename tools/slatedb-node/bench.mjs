#!/usr/bin/env node
// One workload of the engine comparison (benchmarks/SlateDB.Comparison) on the real SlateDB 0.12.1,
// through its official Node binding. The .NET runner starts one process per workload and reads the last
// stdout line, a JSON object:
//   {"engine":"slatedb-0.12.1","workload":"fillrandom","operations":N,"seconds":S,"opsPerSecond":R,
//    "peakRssBytes":B,"found":F,"notes":"..."}
//
//   node bench.mjs --workload fillrandom|fillbatch|readrandom|scan --dir DIR
//                  [--ops N] [--reads N] [--batch N] [--value-size N] [--seed N]
//
// Keys are the .NET bencher's (benchmarks/SlateDB.Bencher/KeyGenerator.cs): 16 bytes, the big-endian splitmix64
// finalizer of the index, then the big-endian index; values are fresh random bytes per row (incompressible).
// fillrandom and fillbatch write the indexes 0..N-1 in that order (a fixed permutation of the key space, by the
// scrambled prefix). One writer awaits each call; writes do not wait for durability (await_durable: false) and
// the timed part ends with one WAL flush. readrandom and scan reopen the database fillbatch left in DIR, flush
// the memtable to L0, make a warm-up pass, then time the second pass. Every call crosses the binding's FFI boundary, which bounds the rates.
import fs from "node:fs";
import { WriteBatch } from "@slatedb/uniffi";
import { FULL_RANGE, NO_WAIT, DEFAULT_PUT, ObjectStore, flushMemtable, flushWal, openDb, storeUrl } from "./lib/engine.mjs";
import { Rng } from "./lib/prng.mjs";

const ENGINE = "slatedb-0.12.1";
const DB_PATH = "db";
const MASK = (1n << 64n) - 1n;

function parseArgs(argv) {
  const options = { ops: 100_000, reads: 20_000, batch: 1000, valueSize: 100, seed: 42 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${name} needs a value`);
      return argv[++i];
    };
    switch (name) {
      case "--workload": options.workload = next(); break;
      case "--dir": options.dir = next(); break;
      case "--ops": options.ops = Number(next()); break;
      case "--reads": options.reads = Number(next()); break;
      case "--batch": options.batch = Number(next()); break;
      case "--value-size": options.valueSize = Number(next()); break;
      case "--seed": options.seed = Number(next()); break;
      default: throw new Error(`unknown option ${name}`);
    }
  }
  if (!options.workload || !options.dir) throw new Error("--workload and --dir are required");
  return options;
}

/** splitmix64's finalizer: a bijection on 64-bit numbers (KeyGenerator.Scramble). */
function scramble(index) {
  let x = BigInt(index);
  x ^= x >> 30n;
  x = (x * 0xbf58476d1ce4e5b9n) & MASK;
  x ^= x >> 27n;
  x = (x * 0x94d049bb133111ebn) & MASK;
  x ^= x >> 31n;
  return x;
}

function keyOf(index) {
  const key = Buffer.alloc(16);
  key.writeBigUInt64BE(scramble(index), 0);
  key.writeBigUInt64BE(BigInt(index), 8);
  return key;
}

/** A fresh value per put, cut from a 1 MiB pool of seeded random bytes at (index * 7919) mod 2^20 (as ValuePool.cs). */
function valueMaker(size, seed) {
  const poolSize = 1 << 20;
  const pool = new Rng(seed).bytes(poolSize + size);
  return (index) => {
    const offset = Number((BigInt(index) * 7919n) % BigInt(poolSize));
    return Buffer.from(pool.subarray(offset, offset + size));
  };
}

function peakRssBytes() {
  try {
    const status = fs.readFileSync("/proc/self/status", "utf8");
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall through to Node's own figure.
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function withDb(dir, body) {
  const store = ObjectStore.resolve(storeUrl(dir));
  const db = await openDb(store, DB_PATH, {});
  try {
    return await body(db);
  } finally {
    await db.shutdown();
    db.dispose();
    store.dispose();
  }
}

/** Runs body, returning its result with the wall-clock seconds and the process CPU time (all threads) it took. */
async function measure(body) {
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = await body();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return { ...result, seconds, cpuMicros: cpu.user + cpu.system };
}

async function fill(db, options, batched) {
  const value = valueMaker(options.valueSize, options.seed);
  return measure(async () => {
    if (!batched) {
      for (let i = 0; i < options.ops; i++) {
        await db.put_with_options(keyOf(i), value(i), DEFAULT_PUT, NO_WAIT);
      }
    } else {
      for (let i = 0; i < options.ops; i += options.batch) {
        const batch = new WriteBatch();
        try {
          const end = Math.min(options.ops, i + options.batch);
          for (let j = i; j < end; j++) batch.put(keyOf(j), value(j));
          await db.write_with_options(batch, NO_WAIT);
        } finally {
          batch.dispose();
        }
      }
    }
    await flushWal(db);
    return { operations: options.ops, found: options.ops };
  });
}

async function readRandom(db, options) {
  await flushMemtable(db);
  const pass = async (seed) => {
    const rng = new Rng(seed);
    let found = 0;
    for (let i = 0; i < options.reads; i++) {
      const value = await db.get(keyOf(Math.floor(rng.next() * options.ops)));
      if (value !== undefined && value.length === options.valueSize) found++;
    }
    return { operations: options.reads, found };
  };
  await pass(options.seed + 1000);
  const timed = await measure(() => pass(options.seed));
  if (timed.found !== timed.operations) throw new Error(`readrandom found ${timed.found} of ${timed.operations} present keys`);
  return timed;
}

async function scan(db, options) {
  await flushMemtable(db);
  const pass = async () => {
    const iterator = await db.scan(FULL_RANGE);
    let rows = 0;
    try {
      while ((await iterator.next()) !== undefined) rows++;
    } finally {
      iterator.dispose();
    }
    return { operations: rows, found: rows };
  };
  await pass();
  const timed = await measure(pass);
  if (timed.found !== options.ops) throw new Error(`the scan saw ${timed.found} rows, expected ${options.ops}`);
  return timed;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let result;
  switch (options.workload) {
    case "fillrandom":
    case "fillbatch":
      fs.rmSync(options.dir, { recursive: true, force: true });
      fs.mkdirSync(options.dir, { recursive: true });
      result = await withDb(options.dir, (db) => fill(db, options, options.workload === "fillbatch"));
      break;
    case "readrandom":
      result = await withDb(options.dir, (db) => readRandom(db, options));
      break;
    case "scan":
      result = await withDb(options.dir, (db) => scan(db, options));
      break;
    default:
      throw new Error(`unknown workload ${options.workload}`);
  }
  const line = {
    engine: ENGINE,
    workload: options.workload,
    operations: result.operations,
    seconds: result.seconds,
    opsPerSecond: result.operations / result.seconds,
    peakRssBytes: peakRssBytes(),
    cpuMicrosPerOp: result.cpuMicros / result.operations,
    found: result.found,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
