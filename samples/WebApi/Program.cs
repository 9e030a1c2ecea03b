// SlateDB behind an ASP.NET Core minimal API.
// Run: dotnet run --project samples/WebApi   then   curl -X PUT localhost:5000/kv/a -d hello; curl localhost:5000/kv/a; curl localhost:5000/health
// The database lives in ./data by default; point it elsewhere with SlateDb:ObjectStoreUrl, for example
// SlateDb__ObjectStoreUrl=s3://bucket/prefix (or az://container/prefix, gs://bucket/prefix) in the environment.
using System.Text.Json.Serialization;
using SlateDB;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSlateDb(builder.Configuration.GetSection("SlateDb"), o =>
{
    if (string.IsNullOrEmpty(o.ObjectStoreUrl))
    {
        o.ObjectStoreUrl = new Uri(Path.Combine(builder.Environment.ContentRootPath, "data") + "/").AbsoluteUri;
    }
});
builder.Services.AddHealthChecks().AddSlateDbHealthCheck();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

var app = builder.Build();

app.MapPut("/kv/{key}", async (string key, HttpRequest request, SlateDb db) =>
{
    using var reader = new StreamReader(request.Body);
    var handle = await db.PutAsync(key, await reader.ReadToEndAsync());
    return Results.Ok(new { key, sequence = handle.Sequence });
});
app.MapGet("/kv/{key}", async (string key, SlateDb db) =>
    await db.GetAsync(key) is { } value ? Results.Text(value) : Results.NotFound());
app.MapDelete("/kv/{key}", async (string key, SlateDb db) =>
{
    await db.DeleteAsync(key);
    return Results.NoContent();
});
app.MapGet("/status", (SlateDb db) => db.Status);
app.MapHealthChecks("/health");

app.Run();
