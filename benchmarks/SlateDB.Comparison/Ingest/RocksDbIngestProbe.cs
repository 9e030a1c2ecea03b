using System.Globalization;
using System.Text.RegularExpressions;
using RocksDbSharp;

namespace SlateDB.Comparison.Ingest;

/// <summary>
/// RocksDB during ingest: files per level from its <c>rocksdb.num-files-at-level&lt;N&gt;</c> properties (L0 files;
/// sorted runs = non-empty levels below L0) and its cumulative write stall from the <c>rocksdb.stats</c> property.
/// It has no L0 limit like ours (it slows writers at 20 L0 files and stops them at 36 by default), so none is given.
/// </summary>
internal sealed partial class RocksDbIngestProbe(Func<RocksDb> db) : IIngestProbe
{
    private const int Levels = 7;

    public int? L0Limit => null;

    public LsmShape? Shape()
    {
        var rocks = db();
        var l0 = Files(rocks, 0);
        var runs = 0;
        for (var level = 1; level < Levels; level++)
        {
            runs += Files(rocks, level) > 0 ? 1 : 0;
        }

        return new LsmShape(l0, runs);
    }

    public double? StallSeconds()
    {
        var match = CumulativeStall().Match(db().GetProperty("rocksdb.stats") ?? string.Empty);
        return match.Success
            ? (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * 3600)
                + (int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) * 60)
                + double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture)
            : null;
    }

    public long? StoreBytesWritten() => null;

    public IReadOnlyDictionary<string, double> Counters() => new Dictionary<string, double>();

    private static int Files(RocksDb rocks, int level) =>
        int.TryParse(rocks.GetProperty($"rocksdb.num-files-at-level{level}"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var files) ? files : 0;

    /// <summary>The DB-wide line of <c>rocksdb.stats</c>: "Cumulative stall: 00:00:1.234 H:M:S, 0.5 percent".</summary>
    [GeneratedRegex(@"Cumulative stall: (\d+):(\d+):([\d.]+) H:M:S")]
    private static partial Regex CumulativeStall();
}

/// <summary>An engine that says nothing about its shape or stalls (ZoneTree): rates, bytes and memory only.</summary>
internal sealed class NoIngestProbe : IIngestProbe
{
    public int? L0Limit => null;

    public LsmShape? Shape() => null;

    public double? StallSeconds() => null;

    public long? StoreBytesWritten() => null;

    public IReadOnlyDictionary<string, double> Counters() => new Dictionary<string, double>();
}
