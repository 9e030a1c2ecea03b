using System.Diagnostics;
using ZoneTree;
using ZoneTree.Comparers;
using ZoneTree.Serializers;
using ZoneTree.Transactional;

namespace SlateDB.TransactionBench;

/// <summary>
/// ZoneTree's transactional tree (MVCC, optimistic) with its defaults (the AsyncShared WAL, no sync per commit):
/// <c>Commit</c> makes a transaction visible at once, as ours returns before durability.
/// </summary>
internal sealed class ZoneTreeEngine(ITransactionalZoneTree<byte[], byte[]> tree, IMaintainer maintainer, string directory) : ITransactionEngine
{
    public string Name => "ZoneTree";

    public static ZoneTreeEngine Open(string directory)
    {
        var tree = new ZoneTreeFactory<byte[], byte[]>()
            .SetDataDirectory(directory)
            .SetComparer(new BytesLexicographicComparerAscending())
            .SetKeySerializer(new BytesSerializer())
            .SetValueSerializer(new BytesSerializer())
            .OpenOrCreateTransactional();
        return new ZoneTreeEngine(tree, tree.CreateMaintainer(), directory);
    }

    public ValueTask PreloadAsync(ContentionWorkload workload, byte[] value)
    {
        var txn = tree.BeginTransaction(TransactionIsolationLevel.Snapshot);
        for (var i = 0; i < workload.Keys; i++)
        {
            var key = ContentionWorkload.KeyOf(i);
            txn.Upsert(in key, in value);
        }

        txn.Commit();
        return new ValueTask(tree.SyncWALAsync(CancellationToken.None));
    }

    public ValueTask<(bool Committed, long CommitTicks)> RunOneAsync(ContentionWorkload workload, Random random, byte[] value)
    {
        var txn = tree.BeginTransaction(workload.Serializable ? TransactionIsolationLevel.Serializable : TransactionIsolationLevel.Snapshot);
        for (var i = 0; i < workload.Reads; i++)
        {
            var key = ContentionWorkload.KeyOf(random.Next(workload.Keys));
            txn.TryGet(in key, out _);
        }

        for (var i = 0; i < workload.Writes; i++)
        {
            var key = ContentionWorkload.KeyOf(random.Next(workload.Keys));
            txn.Upsert(in key, in value);
        }

        var start = Stopwatch.GetTimestamp();
        var committed = txn.TryCommit();
        var ticks = Stopwatch.GetTimestamp() - start;
        if (!committed && txn.State != TransactionState.Aborted)
        {
            txn.Rollback();
        }

        return ValueTask.FromResult((committed, ticks));
    }

    public ValueTask DisposeAsync()
    {
        maintainer.WaitForBackgroundThreads();
        maintainer.Dispose();
        tree.Dispose();
        Directory.Delete(directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
