using System.Diagnostics;
using Xunit.Abstractions;

namespace SlateDB.Tests.Read;

/// <summary>
/// Scans, iterators with seeks and point gets checked against a sorted dictionary, over random writes, deletes,
/// batches, memtable flushes (many small L0 SSTs with bloom filters) and reopens, with random scan options.
/// </summary>
public sealed class ScanModelTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("memory", 1_000_003)]
    [InlineData("local", 2_000_003)]
    public async Task Scans_and_seeks_match_a_sorted_model(string storeKind, int seed)
    {
        using var store = TestStore.Create(storeKind);
        var watch = Stopwatch.StartNew();
        await using var run = new ScanModelRun(store, seed);
        await run.RunAsync(targetScans: 5_000);
        output.WriteLine($"seed {seed} ({storeKind}): {run.Scans} scans, {run.Iterators} iterators, {run.Seeks} seeks, {run.InvalidSeeks} invalid seeks, {run.Flushes} flushes, {run.Reopens} reopens in {watch.Elapsed.TotalSeconds:F1} s");
        run.Scans.Should().BeGreaterThanOrEqualTo(5_000);
        run.Seeks.Should().BeGreaterThan(1_000);
        run.InvalidSeeks.Should().BeGreaterThan(100);
        run.Reopens.Should().BeGreaterThan(2);
    }
}
