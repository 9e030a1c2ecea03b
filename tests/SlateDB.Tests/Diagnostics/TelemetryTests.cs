using System.Diagnostics;
using System.Text;
using FluentAssertions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SlateDB.Diagnostics;
using SlateDB.Storage;
using Xunit;

namespace SlateDB.Tests.Diagnostics;

/// <summary>
/// Metrics and traces as an application sees them through OpenTelemetry (in-memory exporter), with two databases in
/// one process: every series and span names its database.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests
{
    [Fact]
    public async Task Two_databases_have_separate_series_and_spans()
    {
        var metrics = new List<Metric>();
        var spans = new List<Activity>();
        using var meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(SlateDbMeter.Name).AddInMemoryExporter(metrics).Build();
        using var tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(SlateDbActivitySource.Name).AddInMemoryExporter(spans).Build();

        var store = new InMemoryObjectStore();
        var noFlushTimer = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null };
        await using (var a = await SlateDb.Builder("telemetry/a", store).WithOptions(noFlushTimer with { CompactorOptions = new(), MetricLevel = MetricLevel.Debug }).OpenAsync())
        await using (var b = await SlateDb.Builder("telemetry/b", store).WithOptions(noFlushTimer).WithTelemetryName("orders").OpenAsync())
        {
            for (var i = 0; i < 3; i++)
            {
                await a.PutAsync($"k{i}", "v");
            }

            await b.PutAsync("k", "v");
            await a.FlushAsync();
            await b.FlushAsync();
            (await a.GetAsync("k1")).Should().Be("v");
            (await b.GetAsync("k")).Should().Be("v");
            await foreach (var _ in a.ScanPrefixAsync("k"))
            {
            }

            await a.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            await a.PutAsync("k9", "v");
            await a.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            (await a.CompactFullAsync()).Should().NotBeNull();
            meterProvider.ForceFlush();

            // Gauges read the open databases.
            LongPoints(metrics, "slatedb.db.sorted_run_count").Should().Contain(("telemetry/a", 1));
            LongPoints(metrics, "slatedb.db.l0_sst_count").Should().Contain(("orders", 0));
            LongPoints(metrics, "slatedb.db.unflushed.bytes").Select(p => p.Db).Should().Contain(["telemetry/a", "orders"]);
        }

        meterProvider.ForceFlush();
        tracerProvider.ForceFlush();

        Sum(metrics, "slatedb.db.write.rows", "telemetry/a").Should().Be(4);
        Sum(metrics, "slatedb.db.write.rows", "orders").Should().Be(1);
        Sum(metrics, "slatedb.db.get.requests", "orders").Should().Be(1);
        Sum(metrics, "slatedb.wal.flushes", "orders").Should().BeGreaterThanOrEqualTo(1);
        Sum(metrics, "slatedb.l0.flushes", "telemetry/a").Should().Be(2);
        Sum(metrics, "slatedb.compactor.jobs", "telemetry/a").Should().BeGreaterThanOrEqualTo(1);
        Sum(metrics, "slatedb.compactor.bytes_compacted", "telemetry/a").Should().BeGreaterThan(0);
        Sum(metrics, "slatedb.object_store.requests", "orders").Should().BeGreaterThan(0);
        (Sum(metrics, "slatedb.cache.hits", "telemetry/a") + Sum(metrics, "slatedb.cache.misses", "telemetry/a")).Should().BeGreaterThan(0);
        HistogramCount(metrics, "slatedb.db.get.duration", "telemetry/a").Should().Be(1);
        HistogramCount(metrics, "slatedb.db.scan.duration", "telemetry/a").Should().Be(1);
        HistogramCount(metrics, "slatedb.db.get.duration", "orders").Should().Be(0, "latency histograms are Debug metrics and orders runs at Info");
        HistogramCount(metrics, "slatedb.compactor.duration", "telemetry/a").Should().BeGreaterThanOrEqualTo(1);
        Sum(metrics, "slatedb.db.write.rows", "telemetry/b").Should().Be(0, "a telemetry name replaces the path");

        spans.Where(s => s.OperationName == "slatedb.write").GroupBy(s => Db(s)).ToDictionary(g => g.Key!, g => g.Count())
            .Should().Equal(new Dictionary<string, int> { ["telemetry/a"] = 4, ["orders"] = 1 });
        spans.Should().Contain(s => s.OperationName == "slatedb.get" && Db(s) == "orders");
        spans.Should().Contain(s => s.OperationName == "slatedb.scan" && Db(s) == "telemetry/a");
        spans.Should().Contain(s => s.OperationName == "slatedb.wal.flush" && Db(s) == "orders");
        spans.Should().Contain(s => s.OperationName == "slatedb.l0.flush" && Db(s) == "telemetry/a");
        spans.Should().Contain(s => s.OperationName == "slatedb.compaction" && Db(s) == "telemetry/a");

        // Object-store requests are client spans under the operation that caused them.
        var walFlush = spans.First(s => s.OperationName == "slatedb.wal.flush" && Db(s) == "orders");
        spans.Should().Contain(s => s.OperationName == "slatedb.object_store.put" && s.Kind == ActivityKind.Client && s.ParentSpanId == walFlush.SpanId);
    }

    [Fact]
    public async Task Nothing_is_recorded_without_listeners_and_writes_still_work()
    {
        // No provider: the spans are never created (ActivitySource without listeners) and the database works.
        await using var db = await SlateDb.OpenAsync("quiet", new InMemoryObjectStore());
        await db.PutAsync(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("v"));
        (await db.GetAsync("k")).Should().Be("v");
        Activity.Current.Should().BeNull();
    }

    private static string? Db(Activity span) => span.GetTagItem("db") as string;

    private static IEnumerable<MetricPoint> Points(List<Metric> metrics, string name)
    {
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                yield return point;
            }
        }
    }

    private static string? DbOf(MetricPoint point)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == "db")
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    // Cumulative temporality: the exporter keeps every export; the last one holds the totals.
    private static double Sum(List<Metric> metrics, string name, string db)
    {
        var last = metrics.LastOrDefault(m => m.Name == name);
        if (last is null)
        {
            return 0;
        }

        double total = 0;
        foreach (ref readonly var point in last.GetMetricPoints())
        {
            if (DbOf(point) == db)
            {
                total += last.MetricType switch
                {
                    MetricType.LongSum => point.GetSumLong(),
                    MetricType.DoubleSum => point.GetSumDouble(),
                    _ => throw new InvalidOperationException($"{name} is {last.MetricType}"),
                };
            }
        }

        return total;
    }

    private static long HistogramCount(List<Metric> metrics, string name, string db)
    {
        var last = metrics.LastOrDefault(m => m.Name == name);
        long count = 0;
        if (last is not null)
        {
            foreach (ref readonly var point in last.GetMetricPoints())
            {
                if (DbOf(point) == db)
                {
                    count += point.GetHistogramCount();
                }
            }
        }

        return count;
    }

    private static List<(string? Db, long Value)> LongPoints(List<Metric> metrics, string name) =>
        Points(metrics, name).Select(p => (DbOf(p), p.GetGaugeLastValueLong())).ToList();
}

/// <summary>Telemetry tests listen process-wide: they run one at a time, apart from each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
