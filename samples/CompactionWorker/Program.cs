// A compaction worker as a plain process (SlateDB RFC-0025): run as many as you like (a Kubernetes Deployment or
// Job, a container service, systemd units); each claims compactions the database's coordinator (a compactor started
// with CompactorOptions.Worker = null) schedules, and stops gracefully on SIGTERM or Ctrl+C, handing its jobs back.
//
//   dotnet run --project samples/CompactionWorker -- --store file:///var/data --db mydb [--worker-id pod-1]
//       [--poll-ms 1000] [--heartbeat-ms 2000] [--max 2]
//
// Every option also reads an environment variable: SLATEDB_STORE, SLATEDB_DB, SLATEDB_WORKER_ID (default: the
// HOSTNAME, else a new ULID), SLATEDB_WORKER_POLL_MS, SLATEDB_WORKER_HEARTBEAT_MS, SLATEDB_WORKER_MAX.
using System.Globalization;
using System.Runtime.InteropServices;
using SlateDB;
using SlateDB.Compaction;
using SlateDB.Storage;

var settings = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal))
    {
        return Fail($"unexpected argument '{args[i]}'");
    }

    settings[args[i][2..]] = args[i + 1];
}

string? Setting(string name, string variable) =>
    settings.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(variable);

int Number(string name, string variable, int fallback) =>
    Setting(name, variable) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

var storeUrl = Setting("store", "SLATEDB_STORE");
var dbPath = Setting("db", "SLATEDB_DB");
if (storeUrl is null || dbPath is null)
{
    return Fail("usage: --store <url> --db <path> [--worker-id id] [--poll-ms n] [--heartbeat-ms n] [--max n]");
}

var options = new CompactionWorkerOptions
{
    CompactionsPollInterval = TimeSpan.FromMilliseconds(Number("poll-ms", "SLATEDB_WORKER_POLL_MS", 1000)),
    HeartbeatInterval = TimeSpan.FromMilliseconds(Number("heartbeat-ms", "SLATEDB_WORKER_HEARTBEAT_MS", 2000)),
    MaxConcurrentCompactions = Number("max", "SLATEDB_WORKER_MAX", 2),
};
var workerId = Setting("worker-id", "SLATEDB_WORKER_ID") ?? Environment.GetEnvironmentVariable("HOSTNAME");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

IObjectStore store = ObjectStores.FromUrl(storeUrl);
var builder = CompactionWorker.Builder(dbPath, store).WithOptions(options);
if (workerId is { Length: > 0 })
{
    builder.WithWorkerId(() => workerId);
}

var worker = await builder.StartAsync();
await using (worker)
{
    Console.WriteLine($"worker {worker.WorkerId} started on {storeUrl} {dbPath}");
    try
    {
        await worker.Completion.WaitAsync(stop.Token);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        // Stopping: disposing hands the jobs held back.
    }
}

Console.WriteLine($"worker {worker.WorkerId} stopped after {worker.CompletedCompactions} compactions");
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
