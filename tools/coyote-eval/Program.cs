using Microsoft.Coyote;
using Microsoft.Coyote.Specifications;
using Microsoft.Coyote.SystematicTesting;
using SlateDB;
using SlateDB.Storage;

/// <summary>
/// The Coyote evaluation of docs/reliability.md: the manifest CAS under Coyote's systematic testing engine.
/// Arguments: iterations (default 100); a second argument runs the test body once without Coyote's engine.
/// </summary>
public static class Program
{
    private static readonly List<(string Path, byte[] Data)> Seeded = [];

    // The manifest CAS: two detached checkpoints created at once on one database (each a read-modify-write of the
    // manifest through a conditional PUT of the next manifest id); both must succeed and the newest manifest must
    // hold both. Coyote controls the interleaving of the two tasks when SlateDB.dll is rewritten.
    [Test]
    public static async Task ConcurrentCheckpoints()
    {
        var memory = new InMemoryObjectStore();
        foreach (var (path, data) in Seeded)
        {
            await memory.PutAsync(path, data, PutMode.Overwrite, default);
        }

        // COYOTE_EVAL_ASYNC_ITERATOR_LISTING=1 lists through the store's own async iterator (the rewritten run then
        // crashes in Coyote's async method builder); by default a hand-written enumerator lists instead.
        IObjectStore store = Environment.GetEnvironmentVariable("COYOTE_EVAL_ASYNC_ITERATOR_LISTING") == "1" ? memory : new ListingStore(memory);
        foreach (var (path, _) in Seeded)
        {
            (store as ListingStore)?.Track(path);
        }

        var admin = SlateDbAdmin.For("db", store, seed: 1);
        var a = Task.Run(() => admin.CreateDetachedCheckpointAsync());
        var b = Task.Run(() => SlateDbAdmin.For("db", store, seed: 2).CreateDetachedCheckpointAsync());
        var results = await Task.WhenAll(a, b);
        var checkpoints = await admin.ListCheckpointsAsync();
        Specification.Assert(results[0].Id != results[1].Id, "two checkpoints got one id");
        Specification.Assert(checkpoints.Count == 2, $"the newest manifest holds {checkpoints.Count} checkpoints, not 2 (a lost CAS update)");
    }

    public static async Task<int> Main(string[] args)
    {
        // The database is created once, outside the test (no Coyote control), and copied into each iteration's store.
        var store = new InMemoryObjectStore();
        await using (var db = await SlateDb.Builder("db", store).WithOptions(new SlateDbOptions { CompactorOptions = null, GarbageCollectorOptions = null }).OpenAsync())
        {
            await db.PutAsync("k", "v");
        }

        await foreach (var meta in store.ListAsync("", default))
        {
            Seeded.Add((meta.Path, (await store.GetAsync(meta.Path, default))!.Data.ToArray()));
        }

        Console.WriteLine($"seeded {Seeded.Count} objects: {string.Join(", ", Seeded.Select(x => x.Path))}");
        if (args.Length > 1)
        {
            await ConcurrentCheckpoints();
            Console.WriteLine("plain run passed");
            return 0;
        }
        var iterations = args.Length > 0 ? int.Parse(args[0]) : 100;
        var config = Configuration.Create().WithTestingIterations((uint)iterations).WithMaxSchedulingSteps(20000);
        var engine = TestingEngine.Create(config, ConcurrentCheckpoints);
        engine.Run();
        Console.WriteLine($"iterations {engine.TestReport.NumOfExploredFairPaths + engine.TestReport.NumOfExploredUnfairPaths}; bugs found: {engine.TestReport.NumOfFoundBugs}; {string.Join(" | ", engine.TestReport.BugReports)}");
        return 0;
    }
}
