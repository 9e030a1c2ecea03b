using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SlateDB.Storage;

namespace SlateDB.Extensions.Hosting.Tests;

public sealed class WebApplicationTests
{
    [Fact]
    public async Task AMinimalApiWritesAndReadsThroughTheInjectedDatabaseAndHealthFollowsFencing()
    {
        var store = new InMemoryObjectStore();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SlateDb:Path"] = "web",
            ["SlateDb:Settings:manifest_poll_interval"] = "50ms",
        });
        builder.Services.AddSlateDb(builder.Configuration.GetSection("SlateDb"), o => o.ObjectStoreFactory = _ => store);
        builder.Services.AddHealthChecks().AddSlateDbHealthCheck();
        await using var app = builder.Build();
        app.MapPut("/kv/{key}", async (string key, HttpRequest request, SlateDb db) =>
        {
            using var reader = new StreamReader(request.Body);
            await db.PutAsync(key, await reader.ReadToEndAsync(), writeOptions: new WriteOptions { AwaitDurable = true }); // durable before 204
            return Results.NoContent();
        });
        app.MapGet("/kv/{key}", async (string key, SlateDb db) => await db.GetAsync(key) is { } value ? Results.Text(value) : Results.NotFound());
        app.MapHealthChecks("/health");

        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        (await http.PutAsync("/kv/greeting", new StringContent("hello"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await http.GetStringAsync("/kv/greeting")).Should().Be("hello");
        (await http.GetAsync("/kv/missing")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var health = await http.GetAsync("/health");
        health.StatusCode.Should().Be(HttpStatusCode.OK);
        (await health.Content.ReadAsStringAsync()).Should().Be("Healthy");

        // A second writer on the same store fences the hosted one; its manifest poll notices.
        await using var usurper = await SlateDb.OpenAsync("web", store);
        (await Eventually.HoldsAsync(async () => (await http.GetStringAsyncOrStatus("/health")) == "Unhealthy")).Should().BeTrue();
        (await http.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await usurper.GetAsync("greeting")).Should().Be("hello", "the write was durable before the fence");

        await app.StopAsync();
    }
}

internal static class HttpClientExtensions
{
    public static async Task<string> GetStringAsyncOrStatus(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return await response.Content.ReadAsStringAsync();
    }
}
