using ZoneTree;
using ZoneTree.Comparers;
using ZoneTree.Options;
using ZoneTree.Serializers;

namespace SlateDB.Comparison.Engines;

/// <summary>
/// ZoneTree with its defaults: the AsyncCompressed WAL (entries queued and appended by a background thread, no fsync
/// per write) and its default maintainer (moves full mutable segments to disk and merges them in the background).
/// </summary>
internal sealed class ZoneTreeEngine : IKvEngine
{
    private readonly IZoneTree<byte[], byte[]> _tree;
    private readonly IMaintainer _maintainer;

    private ZoneTreeEngine(IZoneTree<byte[], byte[]> tree)
    {
        _tree = tree;
        _maintainer = tree.CreateMaintainer();
    }

    public static ZoneTreeEngine Open(string directory)
    {
        var tree = new ZoneTreeFactory<byte[], byte[]>()
            .SetDataDirectory(directory)
            .SetComparer(new BytesLexicographicComparerAscending())
            .SetKeySerializer(new BytesSerializer())
            .SetValueSerializer(new BytesSerializer())
            .ConfigureWriteAheadLogOptions(wal => wal.WriteAheadLogMode = WriteAheadLogMode.AsyncCompressed)
            .OpenOrCreate();
        return new ZoneTreeEngine(tree);
    }

    public ValueTask PutAsync(byte[] key, byte[] value)
    {
        _tree.Upsert(key, value);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteBatchAsync(IReadOnlyList<KeyValuePair<byte[], byte[]>> rows)
    {
        foreach (var row in rows)
        {
            _tree.Upsert(row.Key, row.Value);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<int> GetAsync(byte[] key) => ValueTask.FromResult(_tree.TryGet(key, out var value) ? value.Length : -1);

    public ValueTask<long> ScanAllAsync()
    {
        long rows = 0;
        using var iterator = _tree.CreateIterator();
        while (iterator.Next())
        {
            if (iterator.CurrentKey.Length + iterator.CurrentValue.Length >= 0)
            {
                rows++;
            }
        }

        return ValueTask.FromResult(rows);
    }

    public ValueTask PersistAsync() => new(_tree.SyncWALAsync(CancellationToken.None));

    public ValueTask PrepareForReadsAsync()
    {
        _tree.Maintenance.MoveMutableSegmentForward();
        _tree.Maintenance.StartMergeOperation()?.Join();
        _maintainer.WaitForBackgroundThreads();
        return ValueTask.CompletedTask;
    }

    /// <summary>ZoneTree's full compaction is its merge of every disk segment, which <see cref="PrepareForReadsAsync"/> already ran.</summary>
    public async ValueTask<string?> CompactAllAsync()
    {
        await PrepareForReadsAsync().ConfigureAwait(false);
        return null;
    }

    public ValueTask DisposeAsync()
    {
        _maintainer.WaitForBackgroundThreads();
        _maintainer.Dispose();
        _tree.Dispose();
        return ValueTask.CompletedTask;
    }
}
