// SlateDB in a worker service: the host opens the database at start and closes it (flushing) at stop (Ctrl+C).
// Run: dotnet run --project samples/Worker
// The database lives in ./data by default; point it elsewhere with SlateDb:ObjectStoreUrl, for example
// SlateDb__ObjectStoreUrl=s3://bucket/prefix (or az://container/prefix, gs://bucket/prefix) in the environment.
using SlateDB.Worker;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSlateDb(builder.Configuration.GetSection("SlateDb"), o =>
{
    if (string.IsNullOrEmpty(o.ObjectStoreUrl))
    {
        o.ObjectStoreUrl = new Uri(Path.Combine(builder.Environment.ContentRootPath, "data") + "/").AbsoluteUri;
    }
});
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddHostedService<TickCounter>();

builder.Build().Run();
