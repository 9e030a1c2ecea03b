// Minimal reader for the parts of a SlateDB 0.12.1 manifest (version 1) that the fixture
// census needs: epochs, WAL bookkeeping, L0 SST ids and sorted runs. It walks the FlatBuffers
// wire format directly (little-endian offsets, vtables) so no schema compiler is needed.
// Field numbers follow `ManifestV1`, `CompactedSsTable`, `SortedRun` and `Ulid` in schemas/*.fbs.

class Table {
  constructor(buf, pos) {
    this.buf = buf;
    this.pos = pos;
    this.vtable = pos - buf.readInt32LE(pos);
    this.vtableSize = buf.readUInt16LE(this.vtable);
  }

  offset(field) {
    const slot = 4 + 2 * field;
    return slot < this.vtableSize ? this.buf.readUInt16LE(this.vtable + slot) : 0;
  }

  u64(field) {
    const off = this.offset(field);
    return off === 0 ? 0n : this.buf.readBigUInt64LE(this.pos + off);
  }

  i64(field) {
    const off = this.offset(field);
    return off === 0 ? 0n : this.buf.readBigInt64LE(this.pos + off);
  }

  u32(field) {
    const off = this.offset(field);
    return off === 0 ? 0 : this.buf.readUInt32LE(this.pos + off);
  }

  bool(field) {
    const off = this.offset(field);
    return off !== 0 && this.buf[this.pos + off] !== 0;
  }

  u8(field) {
    const off = this.offset(field);
    return off === 0 ? 0 : this.buf[this.pos + off];
  }

  string(field) {
    const off = this.offset(field);
    if (off === 0) return null;
    const at = this.pos + off;
    const start = at + this.buf.readUInt32LE(at);
    return this.buf.toString("utf8", start + 4, start + 4 + this.buf.readUInt32LE(start));
  }

  table(field) {
    const off = this.offset(field);
    if (off === 0) return null;
    const at = this.pos + off;
    return new Table(this.buf, at + this.buf.readUInt32LE(at));
  }

  tables(field) {
    const off = this.offset(field);
    if (off === 0) return [];
    const at = this.pos + off;
    const vec = at + this.buf.readUInt32LE(at);
    const count = this.buf.readUInt32LE(vec);
    const out = [];
    for (let i = 0; i < count; i++) {
      const elem = vec + 4 + 4 * i;
      out.push(new Table(this.buf, elem + this.buf.readUInt32LE(elem)));
    }
    return out;
  }
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** 128-bit ULID (high, low) as its 26-character Crockford base32 name. */
export function ulidName(high, low) {
  let value = (BigInt.asUintN(64, high) << 64n) | BigInt.asUintN(64, low);
  let out = "";
  for (let i = 0; i < 26; i++) {
    out = CROCKFORD[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

function sstName(compacted) {
  const id = compacted.table(0);
  return id === null ? null : ulidName(id.u64(0), id.u64(1));
}

// Checkpoint: id, manifest_id, expire_time_s, create_time_s, metadata (union: type then value), name.
function checkpoint(table) {
  const metadataType = table.u8(4);
  const metadata = table.table(5);
  return {
    manifest_id: Number(table.u64(1)),
    expire_time_s: table.u32(2),
    create_time_s: table.u32(3),
    writer_epoch: metadataType === 1 && metadata !== null ? Number(metadata.u64(0)) : null,
    name: table.string(6),
  };
}

/** Decodes the fields of a manifest object (2-byte big-endian version + FlatBuffer). */
export function decodeManifest(bytes) {
  const buf = Buffer.from(bytes);
  const version = buf.readUInt16BE(0);
  if (version !== 1) {
    return { version };
  }
  const body = buf.subarray(2);
  const root = new Table(body, body.readUInt32LE(0));
  return {
    version,
    manifest_id: Number(root.u64(0)),
    initialized: root.bool(2),
    writer_epoch: Number(root.u64(3)),
    compactor_epoch: Number(root.u64(4)),
    replay_after_wal_id: Number(root.u64(5)),
    wal_id_last_seen: Number(root.u64(6)),
    l0: root.tables(8).map(sstName),
    sorted_runs: root.tables(9).map((run) => ({ id: run.u32(0), ssts: run.tables(1).map(sstName) })),
    last_l0_clock_tick: Number(root.i64(10)),
    checkpoints: root.tables(11).map(checkpoint),
    last_l0_seq: Number(root.u64(12)),
  };
}
