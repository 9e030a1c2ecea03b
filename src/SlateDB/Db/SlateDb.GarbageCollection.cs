using SlateDB.GarbageCollection;

namespace SlateDB;

public sealed partial class SlateDb
{
    private GarbageCollector? _garbageCollector;

    /// <summary>The in-process garbage collector; null when <see cref="SlateDbOptions.GarbageCollectorOptions"/> is null.</summary>
    internal GarbageCollector? EmbeddedGarbageCollector => _garbageCollector;

    /// <summary>Starts the in-process garbage collector on the database's store, clock, logging and meter, if configured.</summary>
    private void StartGarbageCollector()
    {
        if (_c.Options.GarbageCollectorOptions is { } options)
        {
            _garbageCollector = GarbageCollector.StartEmbedded(_c, options);
        }
    }

    /// <summary>Stops the in-process garbage collector (before the meter it counts on is disposed).</summary>
    private async Task StopGarbageCollectorAsync()
    {
        if (_garbageCollector is { } collector)
        {
            await collector.StopAsync().ConfigureAwait(false);
        }
    }
}
