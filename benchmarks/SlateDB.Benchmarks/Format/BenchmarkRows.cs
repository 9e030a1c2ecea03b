using System.Text;
using SlateDB.Format;
using SlateDB.Format.Blocks;

namespace SlateDB.Benchmarks.Format;

/// <summary>Realistic rows for format benchmarks: sorted 20-byte keys and ~100-byte JSON-ish values.</summary>
internal static class BenchmarkRows
{
    public static List<RowEntry> Create(int count, int seed = 1)
    {
        var random = new Random(seed);
        var rows = new List<RowEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var key = Encoding.UTF8.GetBytes($"user:{i * 7:D8}:profile");
            var value = Encoding.UTF8.GetBytes($"{{\"name\":\"user {i}\",\"score\":{random.Next(1000)},\"city\":\"{(char)('A' + random.Next(26))}ville\",\"tags\":[\"a\",\"b\",\"c\"]}}");
            rows.Add(RowEntry.Put(key, value, (ulong)(1_000_000 + i), createTs: 1_700_000_000_000 + i));
        }

        return rows;
    }

    /// <summary>The rows that fill one block of <paramref name="blockSize"/> bytes, and that block.</summary>
    public static (List<RowEntry> Rows, byte[] Block) OneBlock(BlockFormatVersion version, int blockSize = BlockBuilder.DefaultBlockSize)
    {
        var builder = BlockBuilder.Create(version, blockSize);
        var rows = new List<RowEntry>();
        foreach (var row in Create(1000))
        {
            if (!builder.TryAdd(row))
            {
                break;
            }

            rows.Add(row);
        }

        return (rows, builder.Build());
    }
}
