#!/usr/bin/env node
// Hand-run smoke test of driver.mjs: starts it as a child process, talks NDJSON to it, checks
// the answers and the on-disk layout, and prints the transcript.   node driver-smoke.mjs
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const hex = (text) => Buffer.from(text, "utf8").toString("hex");

const root = fs.mkdtempSync(path.join(os.tmpdir(), "slatedb-driver-smoke-"));
const child = spawn(process.execPath, [path.join(here, "driver.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();

async function send(cmd) {
  const text = typeof cmd === "string" ? cmd : JSON.stringify(cmd);
  child.stdin.write(`${text}\n`);
  const { value } = await lines.next();
  console.log(`> ${text}\n< ${value}`);
  return JSON.parse(value);
}

try {
  const store = pathToFileURL(root).href;
  const settings = { compression_codec: "\"Zstd\"", flush_interval: "\"10ms\"" };
  assert.equal((await send({ op: "open", store, path: "a/b/c", settings })).ok, true);
  assert.equal((await send({ op: "put", key: hex("k1"), value: hex("v1") })).ok, true);
  assert.equal((await send({ op: "put", key: "00ff", value: "", await_durable: false })).ok, true);
  assert.equal((await send({ op: "put", key: hex("ttl"), value: hex("x"), ttl_ms: 60_000, await_durable: false })).ok, true);
  const batch = await send({
    id: 7, op: "batch", await_durable: false,
    ops: [{ op: "put", key: hex("k2"), value: hex("v2") }, { op: "delete", key: hex("k1") }, { op: "put", key: "ff", value: "01" }],
  });
  assert.equal(batch.id, 7);
  assert.equal(batch.ok, true);
  assert.equal((await send({ op: "flush" })).ok, true);
  assert.deepEqual((await send({ op: "get", key: hex("k1") })).value, null);
  assert.deepEqual((await send({ op: "get", key: hex("k2") })).value, hex("v2"));
  const meta = await send({ op: "get", key: hex("ttl"), meta: true });
  assert.equal(meta.expire_ts - meta.create_ts, 60_000);
  const all = await send({ op: "scan" });
  assert.deepEqual(all.rows, [["00ff", ""], [hex("k2"), hex("v2")], [hex("ttl"), hex("x")], ["ff", "01"]]);
  const some = await send({ op: "scan", start: "00ff", end: hex("ttl") });
  assert.deepEqual(some.rows.map((row) => row[0]), ["00ff", hex("k2")]);

  // Errors are answered, not fatal.
  assert.equal((await send("{not json")).kind, "BadRequest");
  assert.equal((await send({ op: "get", key: "zz" })).kind, "BadRequest");
  assert.equal((await send({ op: "put", key: "", value: "00" })).kind, "Invalid");
  assert.equal((await send({ op: "frobnicate" })).kind, "BadRequest");
  assert.equal((await send({ op: "flush", kind: "memtable" })).ok, true);
  assert.equal((await send({ op: "close" })).ok, true);
  assert.equal((await send({ op: "get", key: hex("k2") })).kind, "BadRequest");

  // file:///dir with db path a/b/c stores objects under dir/a/b/c/.
  for (const folder of ["manifest", "wal", "compacted"]) {
    assert.ok(fs.existsSync(path.join(root, "a", "b", "c", folder)), `${folder} under a/b/c`);
  }
  console.log(`objects: ${fs.readdirSync(path.join(root, "a/b/c")).join(", ")}`);

  // Reopen with the combined file:// form and see the data again (WAL replay + L0).
  assert.equal((await send({ op: "open", path: `${store}/a/b/c` })).ok, true);
  assert.deepEqual((await send({ op: "get", key: "ff" })).value, "01");
  assert.equal((await send({ op: "open", store, path: "a/b/c" })).kind, "BadRequest");
  assert.equal((await send({ op: "exit" })).exit, true);
  const code = await new Promise((resolve) => child.on("exit", resolve));
  assert.equal(code, 0);
  console.log("driver smoke test passed");
} finally {
  child.kill();
  fs.rmSync(root, { recursive: true, force: true });
}
