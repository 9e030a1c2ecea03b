using BenchmarkDotNet.Running;

// Runs the benchmarks chosen on the command line (or offers a menu), e.g.
//   dotnet run -c Release --project benchmarks/SlateDB.Benchmarks -- --filter '*Block*' --job short
// Benchmark classes live in folders by layer (Format/, Sst/, ...) and are found by reflection.
if (await SlateDB.Benchmarks.Compaction.CompactionThroughput.TryRunAsync(args))
{
    return;
}

if (await SlateDB.Benchmarks.Compaction.CompactionVsRocksDb.TryRunAsync(args))
{
    return;
}

if (await SlateDB.Benchmarks.Compaction.CompactionProfile.TryRunAsync(args))
{
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
