using SlateDB.Storage;

namespace SlateDB.Comparison.Engines;

/// <summary>SlateDB for .NET over <see cref="LocalFileSystemObjectStore"/> (each object written to a temporary file, fsynced, renamed).</summary>
internal sealed class OursEngine : IKvEngine
{
    private static readonly WriteOptions NoWait = new() { AwaitDurable = false };
    private static readonly FlushOptions MemtableFlush = new() { FlushType = FlushType.MemTable };
    private readonly SlateDb _db;

    private OursEngine(SlateDb db) => _db = db;

    /// <summary>The database (for <see cref="MemoryProbe"/>).</summary>
    internal SlateDb Db => _db;

    /// <summary>Opens at stock settings, or with <see cref="SlateDbOptions.MemoryBudgetBytes"/> when <paramref name="memoryBudget"/> is positive.</summary>
    public static async Task<OursEngine> OpenAsync(string directory, long memoryBudget = 0)
    {
        var options = memoryBudget > 0 ? SlateDbOptions.Default with { MemoryBudgetBytes = memoryBudget } : SlateDbOptions.Default;
        var db = await SlateDb.OpenAsync("db", new LocalFileSystemObjectStore(directory), options).ConfigureAwait(false);
        return new OursEngine(db);
    }

    /// <summary>
    /// As <see cref="OpenAsync"/>, with the local store behind an <see cref="InstrumentedObjectStore"/> (bytes put,
    /// for write amplification) and a probe of the LSM shape and counters for the ingest workload.
    /// </summary>
    public static async Task<(OursEngine Engine, Ingest.OursIngestProbe Probe)> OpenForIngestAsync(string directory, long memoryBudget = 0)
    {
        var options = memoryBudget > 0 ? SlateDbOptions.Default with { MemoryBudgetBytes = memoryBudget } : SlateDbOptions.Default;
        var store = new InstrumentedObjectStore(new LocalFileSystemObjectStore(directory));
        OursEngine? engine = null;
        var probe = new Ingest.OursIngestProbe(() => engine!._db, store, options.L0MaxSsts);
        engine = new OursEngine(await SlateDb.OpenAsync("db", store, options).ConfigureAwait(false));
        return (engine, probe);
    }

    public ValueTask PutAsync(byte[] key, byte[] value)
    {
        var pending = _db.PutAsync(key, value, writeOptions: NoWait);
        return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : Await(pending);
    }

    public ValueTask WriteBatchAsync(IReadOnlyList<KeyValuePair<byte[], byte[]>> rows)
    {
        var batch = new WriteBatch();
        foreach (var row in rows)
        {
            batch.Put(row.Key, row.Value);
        }

        var pending = _db.WriteAsync(batch, NoWait);
        return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : Await(pending);
    }

    public ValueTask<int> GetAsync(byte[] key)
    {
        // As the peers' adapters: a get served from memory completes without an async state machine here either.
        var pending = _db.GetAsync(key);
        return pending.IsCompletedSuccessfully ? new(LengthOf(pending.Result)) : AwaitLength(pending);
    }

    private static int LengthOf(byte[]? value) => value is { } found ? found.Length : -1;

    private static async ValueTask<int> AwaitLength(ValueTask<byte[]?> pending) => LengthOf(await pending.ConfigureAwait(false));

    public async ValueTask<long> ScanAllAsync()
    {
        long rows = 0;
        await foreach (var row in _db.ScanAsync(KeyRange.All).ConfigureAwait(false))
        {
            if (row.Value.Length >= 0)
            {
                rows++;
            }
        }

        return rows;
    }

    public ValueTask PersistAsync() => _db.FlushAsync();

    public ValueTask PrepareForReadsAsync() => _db.FlushAsync(MemtableFlush);

    public async ValueTask<string?> CompactAllAsync()
    {
        var result = await _db.CompactFullAsync().ConfigureAwait(false);
        if (result is null)
        {
            return "nothing to compact (no SST)";
        }

        var l0 = result.Plan.Inputs.Count(input => !input.IsSortedRun);
        var runs = result.Plan.Inputs.Count - l0;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"inputs {l0} L0 SST(s) and {runs} sorted run(s), {result.InputBytes / 1e6:F1} MB; output {result.OutputSsts} SST(s), {result.OutputBytes / 1e6:F1} MB; {result.RowsRead:N0} rows read, {result.RowsWritten:N0} written in {result.Subcompactions} subcompaction(s); merge {result.Duration.TotalSeconds:F2} s of the timed part");
    }

    public ValueTask DisposeAsync() => _db.CloseAsync();

    private static async ValueTask Await(ValueTask<WriteHandle> pending) => await pending.ConfigureAwait(false);
}
