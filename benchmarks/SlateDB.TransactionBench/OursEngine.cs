using System.Diagnostics;
using SlateDB.Storage;

namespace SlateDB.TransactionBench;

/// <summary>This library on the local file system store, default settings, commits not waiting for durability.</summary>
internal sealed class OursEngine(SlateDb db, string directory) : ITransactionEngine
{
    public string Name => "SlateDB.NET";

    public static async Task<OursEngine> OpenAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        var db = await SlateDb.OpenAsync("bench", new LocalFileSystemObjectStore(directory));
        return new OursEngine(db, directory);
    }

    public async ValueTask PreloadAsync(ContentionWorkload workload, byte[] value)
    {
        var batch = new WriteBatch();
        for (var i = 0; i < workload.Keys; i++)
        {
            batch.Put(ContentionWorkload.KeyOf(i), value);
        }

        await db.WriteAsync(batch, new WriteOptions { AwaitDurable = true });
    }

    public async ValueTask<(bool Committed, long CommitTicks)> RunOneAsync(ContentionWorkload workload, Random random, byte[] value)
    {
        if (workload.PlainBatches)
        {
            return await RunPlainAsync(workload, random, value);
        }

        await using var txn = await db.BeginTransactionAsync(workload.Serializable ? IsolationLevel.SerializableSnapshot : IsolationLevel.Snapshot);
        for (var i = 0; i < workload.Reads; i++)
        {
            await txn.GetAsync(ContentionWorkload.KeyOf(random.Next(workload.Keys)));
        }

        for (var i = 0; i < workload.Writes; i++)
        {
            await txn.PutAsync(ContentionWorkload.KeyOf(random.Next(workload.Keys)), value);
        }

        var start = Stopwatch.GetTimestamp();
        try
        {
            await txn.CommitAsync();
            return (true, Stopwatch.GetTimestamp() - start);
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Transaction)
        {
            return (false, Stopwatch.GetTimestamp() - start);
        }
    }

    /// <summary>The same reads and puts without a transaction (reads, then one write batch): what the transaction adds.</summary>
    private async ValueTask<(bool Committed, long CommitTicks)> RunPlainAsync(ContentionWorkload workload, Random random, byte[] value)
    {
        for (var i = 0; i < workload.Reads; i++)
        {
            await db.GetAsync(ContentionWorkload.KeyOf(random.Next(workload.Keys)));
        }

        var batch = new WriteBatch();
        for (var i = 0; i < workload.Writes; i++)
        {
            batch.Put(ContentionWorkload.KeyOf(random.Next(workload.Keys)), value);
        }

        var start = Stopwatch.GetTimestamp();
        await db.WriteAsync(batch);
        return (true, Stopwatch.GetTimestamp() - start);
    }

    public async ValueTask DisposeAsync()
    {
        await db.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }
}
