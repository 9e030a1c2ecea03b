using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using SlateDB.Storage;

namespace SlateDB.Extensions.Hosting.Tests;

public sealed class HealthCheckTests
{
    private static readonly WriteOptions NoWait = new() { AwaitDurable = false };

    [Fact]
    public async Task HealthIsUnhealthyBeforeTheStartHealthyWhenOpenDegradedUnderBackpressureAndUnhealthyWhenClosed()
    {
        var store = new L0GatedStore(new InMemoryObjectStore());
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddKeyedSlateDb("orders", o =>
        {
            o.ObjectStoreFactory = _ => store;
            o.ConfigureSettings = s => s with { L0SstSizeBytes = 1024, MaxUnflushedBytes = 4096 };
        });
        builder.Services.AddHealthChecks().AddSlateDbHealthCheck(serviceKey: "orders");
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        (await health.CheckHealthAsync()).Entries["slatedb-orders"].Status.Should().Be(HealthStatus.Unhealthy);

        await host.StartAsync();
        var db = host.Services.GetRequiredKeyedService<SlateDb>("orders");
        var healthy = (await health.CheckHealthAsync()).Entries["slatedb-orders"];
        healthy.Status.Should().Be(HealthStatus.Healthy);
        healthy.Data["state"].Should().Be("Open");

        store.HoldL0 = true;
        ValueTask<WriteHandle> held = default;
        for (var i = 0; i < 200 && (i == 0 || held.IsCompleted); i++)
        {
            held = db.PutAsync($"key{i:D4}", new string('x', 512), writeOptions: NoWait);
        }

        held.IsCompleted.Should().BeFalse("writers are held while L0 writes are");
        (await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Degraded)).Should().BeTrue();
        (await health.CheckHealthAsync()).Entries["slatedb-orders"].Description.Should().Contain("backpressure");

        store.HoldL0 = false;
        await held;
        (await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy)).Should().BeTrue();

        await host.StopAsync();
        var closed = (await health.CheckHealthAsync()).Entries["slatedb-orders"];
        closed.Status.Should().Be(HealthStatus.Unhealthy);
        closed.Data["state"].Should().Be("Closed");
    }
}
