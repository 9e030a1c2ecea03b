using SlateDB.Format;
using SlateDB.Format.FlatBuffers;
using SlateDB.Sst;

namespace SlateDB.Tests.Sst;

/// <summary>
/// Everything an SST holds, read through <see cref="SstFile"/>: the opened file (footer, info, index, filter), the
/// rows of every data block and the statistics block. Reading it verifies every checksum in the object.
/// </summary>
internal sealed record SstContents(SstFile File, IReadOnlyList<IReadOnlyList<RowEntry>> Blocks, SstStatsModel? Stats)
{
    /// <summary>All rows in stored order.</summary>
    public IEnumerable<RowEntry> Rows => Blocks.SelectMany(block => block);

    public int RowCount => Blocks.Sum(block => block.Count);

    /// <summary>Opens <paramref name="bytes"/> and decodes every block and the statistics.</summary>
    public static SstContents Read(ReadOnlyMemory<byte> bytes, string path)
    {
        var sst = SstFile.Open(bytes, path);
        var blocks = new List<IReadOnlyList<RowEntry>>(sst.BlockCount);
        for (var i = 0; i < sst.BlockCount; i++)
        {
            var range = sst.BlockRange(i);
            var iterator = sst.DecodeBlock(bytes.Slice((int)range.Offset, (int)range.Length)).CreateIterator();
            var rows = new List<RowEntry>();
            for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
            {
                rows.Add(iterator.Current);
            }

            blocks.Add(rows);
        }

        var stats = sst.StatsRange is { } stored ? sst.DecodeStats(bytes.Slice((int)stored.Offset, (int)stored.Length)) : null;
        return new SstContents(sst, blocks, stats);
    }
}
