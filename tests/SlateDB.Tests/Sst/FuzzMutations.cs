using System.Buffers.Binary;
using SlateDB.Format;
using SlateDB.Format.Compression;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Tests.Sst;

/// <summary>Seeded mutations for the SST-level fuzz tests: plain byte damage, and lies to plant in SST metadata.</summary>
internal static class FuzzMutations
{
    public static SsTableInfoModel LieInInfo(Random random, SsTableInfoModel info, int field, ulong value) => field switch
    {
        0 => info with { IndexOffset = value },
        1 => info with { IndexLen = value },
        2 => info with { FilterOffset = value },
        3 => info with { FilterLen = value },
        4 => info with { StatsOffset = value },
        5 => info with { StatsLen = value },
        6 => info with { Compression = (SstCompression)random.Next(0, 256) },
        7 => info with { SstType = (SstKind)random.Next(0, 4) },
        8 => info with { FilterFormat = (SstFilterFormat)random.Next(0, 4) },
        9 => info with { FirstEntry = SmallKey(random), LastEntry = random.Next(2) == 0 ? null : SmallKey(random) },
        10 => info with { IndexOffset = info.FilterOffset, IndexLen = info.FilterLen },
        _ => info with { IndexLen = info.IndexLen + value % 64, StatsOffset = info.StatsOffset + value % 64 },
    };

    public static SsTableIndexModel LieInIndex(Random random, SsTableIndexModel index, int lie, int size)
    {
        var blocks = index.Blocks.ToList();
        var i = blocks.Count == 0 ? 0 : random.Next(blocks.Count);
        switch (lie)
        {
            case 0 when blocks.Count > 0:
                blocks[i] = new BlockMetaModel(LyingNumber(random, size), blocks[i].FirstKey);
                break;
            case 1 when blocks.Count > 1:
                (blocks[0], blocks[^1]) = (blocks[^1], blocks[0]);
                break;
            case 2 when blocks.Count > 0:
                blocks.RemoveAt(i);
                break;
            case 3:
                blocks.Insert(i, new BlockMetaModel(LyingNumber(random, size), SmallKey(random)));
                break;
            case 4 when blocks.Count > 0:
                blocks[i] = new BlockMetaModel(blocks[i].Offset + 1, blocks[i].FirstKey);
                break;
            case 5 when blocks.Count > 0:
                blocks[i] = new BlockMetaModel(blocks[i].Offset, SmallKey(random));
                break;
            default:
                blocks.Add(blocks.Count > 0 ? blocks[^1] : new BlockMetaModel(0, ReadOnlyMemory<byte>.Empty));
                break;
        }

        return new SsTableIndexModel(blocks);
    }

    public static byte[] LieInFilter(byte[] content, ushort probes, int keep)
    {
        var filter = keep switch
        {
            0 => content[..Math.Min(content.Length, 2)],
            1 => content[..Math.Max(Math.Min(content.Length, 2), content.Length / 2)],
            _ => content.ToArray(),
        };
        if (filter.Length >= 2)
        {
            BinaryPrimitives.WriteUInt16BigEndian(filter, probes);
        }

        return filter;
    }

    /// <summary>Overwrites the stated uncompressed size where the codec keeps one (LZ4's u32 LE prefix, Snappy's varint).</summary>
    public static byte[] LyingSizePrefix(BlockCodec codec, byte[] content, uint size)
    {
        var bytes = content.ToArray();
        switch (codec)
        {
            case BlockCodec.Lz4 when bytes.Length >= 4:
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, size);
                return bytes;
            case BlockCodec.Snappy:
                var length = 0;
                while (length < bytes.Length && (bytes[length] & 0x80) != 0)
                {
                    length++;
                }

                var prefix = new List<byte>();
                for (var v = size; ; v >>= 7)
                {
                    prefix.Add((byte)(v < 0x80 ? v : (v & 0x7F) | 0x80));
                    if (v < 0x80)
                    {
                        break;
                    }
                }

                return [.. prefix, .. bytes.AsSpan(Math.Min(bytes.Length, length + 1))];
            default:
                if (bytes.Length > 6)
                {
                    bytes[5] ^= (byte)size;
                }

                return bytes;
        }
    }

    public static (byte[] Bytes, string Mutation) MutateFlatBuffer(Random random, byte[] original)
    {
        var bytes = original.ToArray();
        switch (random.Next(4))
        {
            case 0:
            {
                // A lying offset or length: one aligned 32-bit word (after the version prefix) set to a boundary value.
                var words = (bytes.Length - 2) / 4;
                var at = 2 + (4 * random.Next(Math.Max(1, words)));
                int[] lies = [0, 1, -1, 4, int.MaxValue, int.MinValue, bytes.Length, bytes.Length - 2, random.Next(), -random.Next(1, 64)];
                var lie = lies[random.Next(lies.Length)];
                if (at + 4 <= bytes.Length)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), lie);
                }

                return (bytes, $"word at {at} = {lie}");
            }

            case 1:
            {
                var version = (ushort)random.Next(0, 4);
                BinaryPrimitives.WriteUInt16BigEndian(bytes, version);
                return (bytes, $"version {version}");
            }

            default:
                return MutateBytes(random, original);
        }
    }

    /// <summary>Bit flips, inserted or deleted runs, truncation, or a random run.</summary>
    public static (byte[] Bytes, string Mutation) MutateBytes(Random random, byte[] original)
    {
        var bytes = original.ToArray();
        switch (random.Next(5))
        {
            case 0:
                var flips = random.Next(1, 5);
                for (var i = 0; i < flips && bytes.Length > 0; i++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return (bytes, $"bytes: {flips} bit flips");
            case 1:
                var insertAt = random.Next(bytes.Length + 1);
                var inserted = new byte[random.Next(1, 9)];
                random.NextBytes(inserted);
                return ([.. bytes[..insertAt], .. inserted, .. bytes[insertAt..]], $"bytes: {inserted.Length} inserted at {insertAt}");
            case 2 when bytes.Length > 0:
                var deleteAt = random.Next(bytes.Length);
                var deleted = Math.Min(bytes.Length - deleteAt, random.Next(1, 9));
                return ([.. bytes[..deleteAt], .. bytes[(deleteAt + deleted)..]], $"bytes: {deleted} deleted at {deleteAt}");
            case 3:
                var length = random.Next(bytes.Length + 1);
                return (bytes[..length], $"bytes: truncated to {length}");
            default:
                if (bytes.Length > 0)
                {
                    var start = random.Next(bytes.Length);
                    random.NextBytes(bytes.AsSpan(start, Math.Min(bytes.Length - start, random.Next(1, 16))));
                }

                return (bytes, "bytes: random run");
        }
    }

    public static byte[] RandomBytesWithFooter(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        if (bytes.Length >= SstLayout.FooterLength && random.Next(2) == 0)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(^10), (ulong)random.Next(bytes.Length));
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(^2), 2);
        }

        return bytes;
    }

    public static ulong LyingNumber(Random random, int size) => random.Next(8) switch
    {
        0 => 0,
        1 => ulong.MaxValue - (ulong)random.Next(16),
        2 => (ulong)long.MaxValue,
        3 => (ulong)int.MaxValue + (ulong)random.Next(2),
        4 => (ulong)size + (ulong)random.Next(-16, 16),
        _ => (ulong)random.Next(0, Math.Max(1, size)),
    };

    public static byte[] SmallKey(Random random)
    {
        var key = new byte[random.Next(1, 24)];
        random.NextBytes(key);
        if (key.Length > 5 && random.Next(2) == 0)
        {
            "user/"u8.CopyTo(key);
        }

        return key;
    }

    public static byte[] SmallValue(Random random)
    {
        var value = new byte[random.Next(0, 40)];
        random.NextBytes(value);
        return value;
    }
}
