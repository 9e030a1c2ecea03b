using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SlateDB.Benchmarks.Format;
using SlateDB.Benchmarks.Sst;
using Xunit.Abstractions;

namespace SlateDB.Tests.Benchmarks;

/// <summary>
/// The allocation gate (style guide, "allocation budgets as the CI gate"): timings are noise on a shared 2-core machine,
/// but the bytes an operation allocates are deterministic. This runs the gated benchmarks' own code in-process
/// (params, [GlobalSetup], then the [Benchmark] method after a warm-up) and measures the bytes each operation
/// allocates on this thread, as BenchmarkDotNet's MemoryDiagnoser reports them ("Allocated" per operation). A
/// benchmark over its budget in benchmarks/SlateDB.Benchmarks/allocation-budgets.json fails. After an intended
/// change, update the budget (the test output prints every measurement).
/// </summary>
public sealed class AllocationBudgetTests(ITestOutputHelper output)
{
    private const int Warmup = 3;
    private const int Measured = 4;

    /// <summary>Block encode/decode, bloom build/probe, SST build/read and SST metadata encoding.</summary>
    private static readonly Type[] s_gated = [typeof(BlockBenchmarks), typeof(BloomBenchmarks), typeof(BloomHashBenchmarks), typeof(SstBuildBenchmarks), typeof(SstMetadataBenchmarks)];

    private static readonly Lazy<Dictionary<string, long>> s_budgets = new(() =>
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Benchmarks", "allocation-budgets.json")));
        return json.RootElement.GetProperty("budgets").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal);
    });

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var benchmark in s_gated.SelectMany(Enumerate))
        {
            data.Add(benchmark.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Benchmark_allocations_stay_within_budget(string name)
    {
        var benchmark = s_gated.SelectMany(Enumerate).Single(b => b.Name == name);
        var perOperation = Measure(benchmark);
        s_budgets.Value.TryGetValue(name, out var budget).Should().BeTrue($"{name} is gated, so allocation-budgets.json must give it a budget (measured {perOperation} B/op)");
        output.WriteLine($"\"{name}\": measured {perOperation} B/op, budget {budget}");
        perOperation.Should().BeLessThanOrEqualTo(budget, $"{name} allocates {perOperation} B/op; its budget is {budget}");
    }

    [Fact]
    public void Every_budget_names_a_gated_benchmark()
    {
        var names = s_gated.SelectMany(Enumerate).Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        s_budgets.Value.Keys.Where(name => !names.Contains(name)).Should().BeEmpty("stale budgets hide renamed benchmarks");
    }

    /// <summary>Bytes allocated per operation on this thread: setup, warm-up, then a few measured invocations.</summary>
    private static long Measure(Benchmark benchmark)
    {
        var instance = Activator.CreateInstance(benchmark.Type)!;
        foreach (var (property, value) in benchmark.Parameters)
        {
            property.SetValue(instance, value);
        }

        foreach (var setup in benchmark.Type.GetMethods().Where(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null))
        {
            setup.Invoke(instance, null);
        }

        // A typed delegate, so the return value is not boxed (BenchmarkDotNet does not box it either).
        var run = typeof(AllocationBudgetTests).GetMethod(nameof(MeasureTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(benchmark.Method.ReturnType);
        var invoke = benchmark.Method.CreateDelegate(typeof(Func<>).MakeGenericType(benchmark.Method.ReturnType), instance);
        var total = (long)run.Invoke(null, [invoke])!;
        return total / (Measured * (long)benchmark.Method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke);
    }

    private static long MeasureTyped<T>(Func<T> operation)
    {
        for (var i = 0; i < Warmup; i++)
        {
            operation();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Measured; i++)
        {
            operation();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Every benchmark case of a class: each [Benchmark] method under each combination of [Params].</summary>
    private static IEnumerable<Benchmark> Enumerate(Type type)
    {
        var combinations = new List<List<(PropertyInfo, object)>> { new() };
        foreach (var property in type.GetProperties().Where(p => p.GetCustomAttribute<ParamsAttribute>() is not null))
        {
            combinations = combinations
                .SelectMany(c => property.GetCustomAttribute<ParamsAttribute>()!.Values.Select(v => c.Append((property, v!)).ToList()))
                .ToList();
        }

        foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
        {
            foreach (var parameters in combinations)
            {
                var suffix = parameters.Count == 0 ? "" : $"({string.Join(", ", parameters.Select(p => $"{p.Item1.Name}={p.Item2}"))})";
                yield return new Benchmark($"{type.Name}.{method.Name}{suffix}", type, method, parameters);
            }
        }
    }

    private sealed record Benchmark(string Name, Type Type, MethodInfo Method, List<(PropertyInfo Property, object Value)> Parameters);
}
