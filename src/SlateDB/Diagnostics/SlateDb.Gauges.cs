using SlateDB.Diagnostics;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>The database as its gauges read it (see <see cref="SlateDbMetrics"/>): from memory, no I/O.</summary>
    private sealed class GaugeSource(SlateDb db) : IDbGaugeSource
    {
        public int L0SstCount => db.Status.L0SstCount;

        public int SortedRunCount => db.Status.SortedRunCount;

        public long MemtableBytes => db.State.Memtable.EstimatedSize;

        public long UnflushedBytes => db.State.UnflushedBytes;
    }
}
