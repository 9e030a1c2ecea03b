using SlateDB.Extensions.Hosting;

namespace SlateDB.Worker;

/// <summary>Counts ticks in the database: the count survives restarts.</summary>
/// <remarks>Takes the accessor, not SlateDb: hosted services are created before the host starts the database.</remarks>
internal sealed partial class TickCounter(SlateDbAccessor slateDb, ILogger<TickCounter> logger, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var db = slateDb.Database;
        var count = long.Parse(await db.GetAsync("ticks", cancellationToken: stoppingToken) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            count++;
            await db.PutAsync("ticks", count.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: stoppingToken);
            Log.Tick(logger, count, db.Status.DurableSequence);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Tick {Count} stored (durable sequence {Durable}).")]
        public static partial void Tick(ILogger logger, long count, long durable);
    }
}
