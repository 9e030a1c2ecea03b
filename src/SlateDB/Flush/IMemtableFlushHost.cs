using SlateDB.Db;
using SlateDB.Manifest;

namespace SlateDB.Flush;

/// <summary>What the memtable flusher needs from the database it flushes for.</summary>
internal interface IMemtableFlushHost
{
    /// <summary>The database's read state: its frozen memtables (newest first) and the manifest's tree.</summary>
    DbState State { get; }

    /// <summary>The id the WAL writes next (recorded in the manifest as <c>next_wal_sst_id</c>).</summary>
    ulong NextWalId { get; }

    /// <summary>The sequences live snapshots read at, ascending.</summary>
    ulong[] LiveSnapshotSeqs();

    /// <summary>The lowest sequence a live snapshot reads at; null when there is none.</summary>
    ulong? MinLiveSnapshotSeq();

    /// <summary>
    /// Writes the WAL buffer out (nothing with the WAL disabled), so that every committed write is in the WAL before an
    /// L0 flush, as SlateDB does.
    /// </summary>
    Task FlushWalAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A frozen memtable is in L0 and its manifest update is applied: raise the durable mark to its rows, take it out
    /// of the read state (with the manifest's new tree) and wake whoever waits for progress.
    /// </summary>
    void Flushed(FrozenMemtable memtable, SsTableHandle sst);
}
