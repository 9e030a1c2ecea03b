#!/usr/bin/env python3
"""Charges each sample of `perf script -F ip,sym,dso` output to the first category found walking its stack from the leaf.

Used for the profile in docs/compaction.md ("Where one job's time goes"). Reads stdin, prints percentages."""
import sys, re, collections
# Categories, in the order they are tried on each frame (leaf first).
cats = [
 ("file write (kernel pwrite copy)", r"pwrite|generic_perform_write|vfs_write"),
 ("file read (kernel)", r"pread|vfs_read|filemap_read|_copy_to_iter"),
 ("GC", r"libcoreclr.*|\[unknown\]"),
 ("checksum CRC32", r"Crc32|Checksum"),
 ("bloom filter build (hash)", r"Bloom|SipHash|Filter\.Build|FilterBlockCodec"),
 ("compression", r"Lz4|LZ4|Snappy|Zstd|Compress(?!ion\.Compaction)|BlockCompression"),
 ("decompression", r"Decompress"),
 ("block decode (iterator)", r"BlockIterator|LoadRegion|RowCodec.*Decode|StepInBlock|SstRowIterator|RowFlags::Validate"),
 ("block build / row encode", r"BlockBuilder|RowCodecV2::Encode|EncodedSize|SstBuilder|RowFlags::For|IndexCodec|SstStatsCodec|FlatBuffer"),
 ("merge heap", r"MergeRowIterator|SequenceCompareTo"),
 ("retention", r"RetentionFilter"),
 ("pipeline/batches (executor loop)", r"CompactionExecutor|RowBatch|ClearWithReferences|Channel"),
 ("memcpy", r"Memmove|memmove|memset|memcpy"),
 ("page faults (kernel)", r"exc_page_fault|clear_page|do_anonymous_page|handle_mm_fault"),
 ("block read (table store)", r"TableStore|BlockFetch|RandomAccess|SafeFileHandle"),
 ("JIT", r"libclrjit"),
]
cats=[(n,re.compile(p)) for n,p in cats]
counts=collections.Counter(); total=0
stack=[]
def flush():
    global total
    if not stack: return
    total+=1
    for frame in stack:
        for n,p in cats:
            if p.search(frame):
                counts[n]+=1; return
    counts["other: "+stack[0][:90]]+=1
for line in sys.stdin:
    line=line.rstrip("\n")
    if not line.strip():
        flush(); stack=[]; continue
    if line.startswith("\t") or line.startswith(" "):
        stack.append(line.strip())
flush()
for n,c in counts.most_common(40):
    print(f"{100*c/total:6.1f}%  {n}")
print("samples",total)
