using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SlateDB.Storage;

namespace SlateDB.Extensions.Hosting.Tests;

public sealed class GenericHostTests
{
    private static readonly WriteOptions NoWait = new() { AwaitDurable = false };

    private static HostApplicationBuilder NewBuilder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    [Fact]
    public async Task StartOpensStopFlushesAndTheDataIsInTheStore()
    {
        var store = new InMemoryObjectStore();
        var builder = NewBuilder(new()
        {
            ["SlateDb:Path"] = "orders",
            // No periodic WAL flush: only the close at stop makes the write durable.
            ["SlateDb:Settings:flush_interval"] = "",
        });
        builder.Services.AddSlateDb(builder.Configuration.GetSection("SlateDb"), o => o.ObjectStoreFactory = _ => store);
        using var host = builder.Build();

        await host.StartAsync();
        var db = host.Services.GetRequiredService<SlateDb>();
        db.Path.Should().Be("orders");
        db.Options.FlushInterval.Should().BeNull();
        await db.PutAsync("order-1", "paid", writeOptions: NoWait);
        db.Status.DurableSequence.Should().BeLessThan(db.Status.CommittedSequence);
        await host.StopAsync();

        db.Status.State.Should().Be(DbOpenState.Closed);
        await using var reopened = await SlateDb.OpenAsync("orders", store);
        (await reopened.GetAsync("order-1")).Should().Be("paid");
    }

    [Fact]
    public async Task ALocalFolderFromAFileUrlWorksEndToEnd()
    {
        var folder = Directory.CreateTempSubdirectory("slatedb-hosting-");
        try
        {
            var url = new Uri(folder.FullName + "/").AbsoluteUri;
            var builder = NewBuilder(new() { ["Db:ObjectStoreUrl"] = url, ["Db:Path"] = "app" });
            builder.Services.AddSlateDb(builder.Configuration.GetSection("Db"));
            using (var host = builder.Build())
            {
                await host.StartAsync();
                await host.Services.GetRequiredService<SlateDb>().PutAsync("k", "v", writeOptions: NoWait);
                await host.StopAsync();
            }

            await using var reopened = await SlateDb.OpenAsync("app", ObjectStores.FromUrl(url));
            (await reopened.GetAsync("k")).Should().Be("v");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void ResolvingTheDatabaseBeforeTheHostStartsThrowsAClearError()
    {
        var builder = NewBuilder([]);
        builder.Services.AddSlateDb(o => o.ObjectStoreFactory = _ => new InMemoryObjectStore());
        using var host = builder.Build();

        var resolve = () => host.Services.GetRequiredService<SlateDb>();

        resolve.Should().Throw<InvalidOperationException>().WithMessage("*not open yet*host starts*");
        host.Services.GetRequiredService<SlateDbAccessor>().TryGetDatabase(out _).Should().BeFalse();
    }

    [Fact]
    public async Task ConfigurationBindsTheHostingOptionsAndTheDatabaseSettings()
    {
        var builder = NewBuilder(new()
        {
            ["SlateDb:ObjectStoreUrl"] = "memory:///",
            ["SlateDb:Path"] = "p",
            ["SlateDb:OpenTimeout"] = "00:00:05",
            ["SlateDb:Settings:flush_interval"] = "250ms",
            ["SlateDb:Settings:L0MaxSsts"] = "12",
        });
        builder.Services.AddSlateDb(builder.Configuration.GetSection("SlateDb"), o => o.ConfigureSettings = s => s with { MinFilterKeys = 7 });
        using var host = builder.Build();

        var hosting = host.Services.GetRequiredService<IOptions<SlateDbHostingOptions>>().Value;
        hosting.ObjectStoreUrl.Should().Be("memory:///");
        hosting.Path.Should().Be("p");
        hosting.OpenTimeout.Should().Be(TimeSpan.FromSeconds(5));
        var settings = host.Services.GetRequiredService<IOptions<SlateDbOptions>>().Value;
        settings.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        settings.L0MaxSsts.Should().Be(12);
        settings.MinFilterKeys.Should().Be(7);

        await host.StartAsync();
        host.Services.GetRequiredService<SlateDb>().Options.Should().Be(settings);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("SlateDb:Settings:l0_max_ssts", "0", "*l0_max_ssts*")]
    [InlineData("SlateDb:Settings:flush_interval", "soon", "*flush_interval*")]
    [InlineData("SlateDb:ObjectStoreUrl", "", "*ObjectStoreUrl*")]
    [InlineData("SlateDb:OpenTimeout", "-00:00:01", "*OpenTimeout*")]
    public async Task AnInvalidSettingStopsTheStart(string key, string value, string message)
    {
        var builder = NewBuilder(new() { ["SlateDb:ObjectStoreUrl"] = "memory:///", [key] = value });
        builder.Services.AddSlateDb(builder.Configuration.GetSection("SlateDb"));
        using var host = builder.Build();

        var error = await CatchAsync(() => host.StartAsync());

        Flatten(error).OfType<OptionsValidationException>().Should().ContainSingle().Which.Message.Should().Match(message);
        host.Services.GetRequiredService<SlateDbAccessor>().TryGetDatabase(out _).Should().BeFalse();
    }

    [Fact]
    public async Task AnOpenThatDoesNotFinishInTimeFailsTheStart()
    {
        var builder = NewBuilder([]);
        builder.Services.AddSlateDb(o =>
        {
            o.ObjectStoreFactory = _ => new HangingStore();
            o.OpenTimeout = TimeSpan.FromMilliseconds(200);
        });
        using var host = builder.Build();

        var error = await CatchAsync(() => host.StartAsync());

        Flatten(error).OfType<TimeoutException>().First().Message.Should().Contain("did not open within").And.Contain("OpenTimeout");
        var resolve = () => host.Services.GetRequiredService<SlateDb>();
        resolve.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task KeyedRegistrationsOpenSeveralDatabases()
    {
        var store = new InMemoryObjectStore();
        var builder = NewBuilder(new() { ["Orders:Path"] = "orders", ["Users:Path"] = "users", ["Users:Settings:flush_interval"] = "" });
        builder.Services.AddKeyedSlateDb("orders", builder.Configuration.GetSection("Orders"), o => o.ObjectStoreFactory = _ => store);
        builder.Services.AddKeyedSlateDb("users", builder.Configuration.GetSection("Users"), o => o.ObjectStoreFactory = _ => store);
        builder.Services.AddSingleton<TwoDatabases>();
        using var host = builder.Build();

        await host.StartAsync();
        var both = host.Services.GetRequiredService<TwoDatabases>();
        both.Orders.Path.Should().Be("orders");
        both.Users.Path.Should().Be("users");
        both.Users.Options.FlushInterval.Should().BeNull();
        both.Orders.Options.FlushInterval.Should().NotBeNull();
        await both.Orders.PutAsync("k", "order");
        await both.Users.PutAsync("k", "user", writeOptions: NoWait);
        (await both.Orders.GetAsync("k")).Should().Be("order");
        (await both.Users.GetAsync("k")).Should().Be("user");
        host.Services.GetRequiredService<IOptionsMonitor<SlateDbHostingOptions>>().Get("users").Path.Should().Be("users");
        await host.StopAsync();

        await using var users = await SlateDb.OpenAsync("users", store);
        (await users.GetAsync("k")).Should().Be("user");
    }

    [Fact]
    public void RegisteringTheSameDatabaseTwiceIsRefused()
    {
        var services = new ServiceCollection();
        services.AddKeyedSlateDb("a", o => o.ObjectStoreUrl = "memory:///");

        var again = () => services.AddKeyedSlateDb("a", o => o.ObjectStoreUrl = "memory:///");

        again.Should().Throw<InvalidOperationException>().WithMessage("*'a'*already registered*");
    }

    internal static async Task<Exception> CatchAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e)
        {
            return e;
        }

        throw new InvalidOperationException("Expected an exception.");
    }

    internal static IEnumerable<Exception> Flatten(Exception error) => error is AggregateException aggregate
        ? aggregate.Flatten().InnerExceptions.SelectMany(Flatten)
        : error.InnerException is { } inner ? [error, .. Flatten(inner)] : [error];

    private sealed class TwoDatabases([FromKeyedServices("orders")] SlateDb orders, [FromKeyedServices("users")] SlateDb users)
    {
        public SlateDb Orders { get; } = orders;

        public SlateDb Users { get; } = users;
    }
}
