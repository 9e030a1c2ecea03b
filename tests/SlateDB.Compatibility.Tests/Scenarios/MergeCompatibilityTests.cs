using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Storage;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Merge operands across engines, both with an append operator (separator ","): one engine writes puts, merges,
/// deletes and batches with merges into several L0 SSTs; the compacting engine (either) folds them into sorted runs
/// and writes more; the other engine reads every key (folding with its own operator) and writes more; the compacting
/// engine checks the final state. Every read is compared with a model that appends.
/// </summary>
public sealed class MergeCompatibilityTests
{
    private const int KeyCount = 120;

    private static readonly EngineSettings Writing = EngineSettings.Default with { L0SstSizeBytes = 64 * 1024 };

    private static readonly EngineSettings Compacting = Writing with { Compactor = true, CompactorPollMillis = 100, CompactorMaxSstSize = 64 * 1024 };

    [CompatTheory]
    [InlineData(EngineKind.Rust, EngineKind.Rust)]
    [InlineData(EngineKind.Rust, EngineKind.DotNet)]
    [InlineData(EngineKind.DotNet, EngineKind.Rust)]
    [InlineData(EngineKind.DotNet, EngineKind.DotNet)]
    public async Task Merge_operands_written_by_one_engine_are_folded_by_the_other_before_and_after_compaction(EngineKind writer, EngineKind compactor)
    {
        using var database = TestDatabase.Create($"merge-{writer}-{compactor}");
        await using var rust = await RustEngine.StartAsync();
        var model = new Dictionary<string, string?>(StringComparer.Ordinal);
        var random = new Random(writer == EngineKind.Rust ? 61 : 62);
        var context = $"operands by {writer}, compacted by {compactor}";
        Side Make(EngineKind kind) => kind == EngineKind.Rust ? new RustSide(rust.Driver, database) : new DotNetSide(database);

        var first = Make(writer);
        await first.OpenAsync(Writing);
        for (var round = 0; round < 4; round++)
        {
            await WriteRoundAsync(first, model, random, 150, round);
            await first.FlushMemtableAsync();
        }

        await WriteRoundAsync(first, model, random, 60, 9);
        await first.CloseAsync();

        var compacting = Make(compactor);
        await compacting.OpenAsync(Compacting);
        await compacting.CompactAsync(database, context);
        await CheckAsync(compacting, model, $"{context}: the compacting engine after compaction");
        await WriteRoundAsync(compacting, model, random, 100, 10);
        await compacting.CloseAsync();

        var other = Make(compactor == EngineKind.Rust ? EngineKind.DotNet : EngineKind.Rust);
        await other.OpenAsync(Writing);
        await CheckAsync(other, model, $"{context}: read by the other engine");
        await WriteRoundAsync(other, model, random, 100, 11);
        await other.CloseAsync();

        var last = Make(compactor);
        await last.OpenAsync(Writing);
        await CheckAsync(last, model, $"{context}: final state");
        await last.CloseAsync();
    }

    private static string Key(int i) => $"key{i:D4}";

    private static async Task WriteRoundAsync(Side side, Dictionary<string, string?> model, Random random, int operations, int round)
    {
        for (var i = 0; i < operations; i++)
        {
            var key = Key(random.Next(KeyCount));
            var text = $"r{round}.{i}";
            var roll = random.Next(100);
            if (roll < 20)
            {
                await side.PutAsync(key, text);
                model[key] = text;
            }
            else if (roll < 25)
            {
                await side.DeleteAsync(key);
                model[key] = null;
            }
            else if (roll < 35)
            {
                // A batch: a merge over the same key twice, and a merge of another key.
                var otherKey = Key(random.Next(KeyCount));
                await side.BatchMergeAsync([(key, text + "a"), (key, text + "b"), (otherKey, text + "c")]);
                Append(model, key, text + "a");
                Append(model, key, text + "b");
                Append(model, otherKey, text + "c");
            }
            else
            {
                await side.MergeAsync(key, text);
                Append(model, key, text);
            }
        }
    }

    private static void Append(Dictionary<string, string?> model, string key, string operand) =>
        model[key] = model.GetValueOrDefault(key) is { } existing ? existing + "," + operand : operand;

    private static async Task CheckAsync(Side side, Dictionary<string, string?> model, string context)
    {
        for (var i = 0; i < KeyCount; i++)
        {
            var key = Key(i);
            (await side.GetAsync(key)).Should().Be(model.GetValueOrDefault(key), $"{context}: {key}");
        }
    }

    /// <summary>One engine's session, with the append operator installed.</summary>
    private abstract class Side
    {
        public abstract Task OpenAsync(EngineSettings settings);

        public abstract Task PutAsync(string key, string value);

        public abstract Task DeleteAsync(string key);

        public abstract Task MergeAsync(string key, string operand);

        public abstract Task BatchMergeAsync(IReadOnlyList<(string Key, string Operand)> merges);

        public abstract Task<string?> GetAsync(string key);

        public abstract Task FlushMemtableAsync();

        /// <summary>Compacts the L0 SSTs into sorted runs (the engine was opened with its compactor on).</summary>
        public abstract Task CompactAsync(TestDatabase database, string context);

        public abstract Task CloseAsync();
    }

    private sealed class RustSide(RustSlateDb driver, TestDatabase database) : Side
    {
        private static string Hex(string text) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text));

        public override async Task OpenAsync(EngineSettings settings)
        {
            var literals = new JsonObject();
            foreach (var (name, literal) in settings.ToRustSettings())
            {
                literals[name] = literal;
            }

            await driver.SendAsync(new JsonObject
            {
                ["op"] = "open_merge",
                ["store"] = database.StoreUrl,
                ["path"] = database.Path,
                ["settings"] = literals,
                ["merge_operator"] = new JsonObject { ["kind"] = "append", ["separator"] = Hex(",") },
            });
        }

        public override Task PutAsync(string key, string value) =>
            driver.SendAsync(new JsonObject { ["op"] = "put", ["key"] = Hex(key), ["value"] = Hex(value), ["await_durable"] = false });

        public override Task DeleteAsync(string key) =>
            driver.SendAsync(new JsonObject { ["op"] = "delete", ["key"] = Hex(key), ["await_durable"] = false });

        public override Task MergeAsync(string key, string operand) =>
            driver.SendAsync(new JsonObject { ["op"] = "merge", ["key"] = Hex(key), ["operand"] = Hex(operand), ["await_durable"] = false });

        public override Task BatchMergeAsync(IReadOnlyList<(string Key, string Operand)> merges)
        {
            var ops = new JsonArray();
            foreach (var (key, operand) in merges)
            {
                ops.Add(new JsonObject { ["op"] = "merge", ["key"] = Hex(key), ["operand"] = Hex(operand) });
            }

            return driver.SendAsync(new JsonObject { ["op"] = "merge_batch", ["ops"] = ops, ["await_durable"] = false });
        }

        public override async Task<string?> GetAsync(string key)
        {
            var answer = await driver.SendAsync(new JsonObject { ["op"] = "get", ["key"] = Hex(key) });
            return answer["value"]?.GetValue<string>() is { } hex ? Encoding.UTF8.GetString(Convert.FromHexString(hex)) : null;
        }

        public override Task FlushMemtableAsync() => driver.SendAsync(new JsonObject { ["op"] = "flush", ["kind"] = "memtable" });

        public override async Task CompactAsync(TestDatabase db, string context)
        {
            var watch = Stopwatch.StartNew();
            while ((await OnDisk.LatestManifestAsync(db)).Manifest.Core.Tree.Compacted.Count == 0)
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new Xunit.Sdk.XunitException($"{context}: SlateDB made no sorted run in {watch.Elapsed.TotalSeconds:0} s.");
                }

                await GetAsync(Key(0));
                await Task.Delay(100);
            }
        }

        public override Task CloseAsync() => driver.SendAsync(new JsonObject { ["op"] = "close" });
    }

    private sealed class DotNetSide(TestDatabase database) : Side
    {
        private static readonly WriteOptions NoWait = new() { AwaitDurable = false };
        private SlateDb? _db;

        private SlateDb Db => _db ?? throw new InvalidOperationException("not open");

        public override async Task OpenAsync(EngineSettings settings) =>
            _db = await SlateDb.Builder(database.Path, new LocalFileSystemObjectStore(database.Root))
                .WithOptions(settings.ToDotNetOptions() with { CompactorOptions = null })
                .WithMergeOperator(MergeOperators.Append(","))
                .OpenAsync();

        public override async Task PutAsync(string key, string value) => await Db.PutAsync(key, value, writeOptions: NoWait);

        public override async Task DeleteAsync(string key) => await Db.DeleteAsync(key, NoWait);

        public override async Task MergeAsync(string key, string operand) => await Db.MergeAsync(key, operand, writeOptions: NoWait);

        public override async Task BatchMergeAsync(IReadOnlyList<(string Key, string Operand)> merges)
        {
            var batch = new WriteBatch();
            foreach (var (key, operand) in merges)
            {
                batch.Merge(key, operand);
            }

            await Db.WriteAsync(batch, NoWait);
        }

        public override async Task<string?> GetAsync(string key) => await Db.GetAsync(key);

        public override async Task FlushMemtableAsync() => await Db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        /// <summary>A standalone compactor with the same operator, next to the open writer (which runs none).</summary>
        public override async Task CompactAsync(TestDatabase db, string context)
        {
            await using var compactor = await SlateDB.Compaction.Compactor.Builder(db.Path, new LocalFileSystemObjectStore(db.Root))
                .WithMergeOperator(MergeOperators.Append(","))
                .WithPollingDisabled()
                .StartAsync();
            var result = await compactor.CompactFullAsync();
            result.Should().NotBeNull(context);
            result!.RowsWritten.Should().BeLessThan(result.RowsRead, $"{context}: operands are folded");
        }

        public override async Task CloseAsync()
        {
            await Db.CloseAsync();
            _db = null;
        }
    }
}
