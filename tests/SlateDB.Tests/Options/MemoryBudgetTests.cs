using SlateDB.Storage;
using SlateDB.Tests.Engine;

namespace SlateDB.Tests.Options;

/// <summary>One memory budget shared out between unflushed writes (memtables) and the database's own block cache.</summary>
public sealed class MemoryBudgetTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void The_shares_add_up_to_the_budget()
    {
        var split = MemoryBudgetSplit.Of(256 * MiB);

        split.TotalBytes.Should().Be(256 * MiB);
        split.UnflushedBytes.Should().Be(96 * MiB);
        split.L0SstBytes.Should().Be(16 * MiB);
        split.DataCacheBytes.Should().Be(128 * MiB);
        split.MetadataCacheBytes.Should().Be(32 * MiB);
        (split.UnflushedBytes + split.DataCacheBytes + split.MetadataCacheBytes).Should().Be(split.TotalBytes);
        split.L0SstBytes.Should().BeLessThan(split.UnflushedBytes, "several memtables fit under the unflushed share");
    }

    [Fact]
    public void No_budget_keeps_every_setting_and_the_default_cache()
    {
        var options = SlateDbOptions.Default;

        options.MemoryBudget.Should().BeNull();
        options.WithMemoryBudgetApplied().Should().Be(options);
        using var cache = options.CreateOwnedBlockCache();
        cache.DataCapacityBytes.Should().Be(SlateDB.Caching.MemoryBlockCache.DefaultDataCapacityBytes);
        cache.MetadataCapacityBytes.Should().Be(SlateDB.Caching.MemoryBlockCache.DefaultMetadataCapacityBytes);
    }

    [Fact]
    public void A_budget_caps_the_memtable_sizes_and_sizes_the_owned_cache()
    {
        var options = SlateDbOptions.Default with { MemoryBudgetBytes = 128 * MiB };

        var applied = options.WithMemoryBudgetApplied();
        applied.L0SstSizeBytes.Should().Be(8 * MiB);
        applied.MaxUnflushedBytes.Should().Be(48 * MiB);
        applied.Validate();
        using var cache = options.CreateOwnedBlockCache();
        cache.DataCapacityBytes.Should().Be(64 * MiB);
        cache.MetadataCapacityBytes.Should().Be(16 * MiB);
    }

    [Fact]
    public void A_budget_cuts_the_compactors_output_ssts_to_an_eighth()
    {
        var options = SlateDbOptions.Default with { MemoryBudgetBytes = 128 * MiB };

        options.MemoryBudget!.CompactedSstBytes.Should().Be(16 * MiB);
        options.WithMemoryBudgetApplied().CompactorOptions!.MaxSstSize.Should().Be(16 * MiB);
        (options with { CompactorOptions = null }).WithMemoryBudgetApplied().CompactorOptions.Should().BeNull("no embedded compactor stays none");
        (options with { CompactorOptions = new CompactorOptions { MaxSstSize = 4 * MiB } }).WithMemoryBudgetApplied().CompactorOptions!.MaxSstSize
            .Should().Be(4 * MiB, "a smaller setting is kept");
        SlateDbOptions.Default.WithMemoryBudgetApplied().CompactorOptions!.MaxSstSize.Should().Be(256 * MiB);
    }

    [Fact]
    public void A_budget_never_raises_smaller_settings()
    {
        var options = SlateDbOptions.Default with { MemoryBudgetBytes = 1024 * MiB, L0SstSizeBytes = 4 * MiB, MaxUnflushedBytes = 32 * MiB };

        var applied = options.WithMemoryBudgetApplied();

        applied.L0SstSizeBytes.Should().Be(4 * MiB);
        applied.MaxUnflushedBytes.Should().Be(32 * MiB);
    }

    [Fact]
    public void A_budget_below_the_minimum_is_refused()
    {
        var options = SlateDbOptions.Default with { MemoryBudgetBytes = SlateDbOptions.MinMemoryBudgetBytes - 1 };

        var refused = () => options.Validate();

        refused.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public void The_budget_round_trips_through_settings_json_and_is_absent_when_unset()
    {
        var options = SlateDbOptions.Default with { MemoryBudgetBytes = 300 * MiB };

        SlateDbOptions.FromJson(options.ToJson()).Should().Be(options);
        SlateDbOptions.Default.ToJson().Should().NotContain("memory_budget_bytes");
    }

    [Fact]
    public async Task An_open_database_flushes_memtables_at_the_budgets_L0_size()
    {
        // 16 MiB budget: a memtable is flushed at 1 MiB although the settings say 64 MiB.
        var options = EngineTestSupport.TestOptions(l0SstSizeBytes: 64 * MiB) with
        {
            MaxUnflushedBytes = 256 * MiB,
            MemoryBudgetBytes = SlateDbOptions.MinMemoryBudgetBytes,
        };
        var store = new InMemoryObjectStore();
        await using var db = await EngineTestSupport.OpenAsync(store, options);
        var value = new byte[1000];
        for (var i = 0; i < 3000; i++)
        {
            await db.PutAsync(System.Text.Encoding.UTF8.GetBytes($"key-{i:D6}"), value, writeOptions: new WriteOptions { AwaitDurable = false });
        }

        await EngineTestSupport.EventuallyAsync(() => db.Status.L0SstCount >= 2, "memtables of about 1 MiB flushed to L0");
        (await db.GetAsync(System.Text.Encoding.UTF8.GetBytes("key-000001"))).Should().Equal(value);
    }
}
