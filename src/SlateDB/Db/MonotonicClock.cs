namespace SlateDB.Db;

/// <summary>
/// The database clock: Unix milliseconds from the injected <see cref="TimeProvider"/>, never going backwards (a tick
/// earlier than the last one returns the last one), seeded on open from the newest tick recorded in the database.
/// </summary>
internal sealed class MonotonicClock(TimeProvider timeProvider, long lastTick)
{
    private long _lastTick = lastTick;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public long LastTick => Volatile.Read(ref _lastTick);

    /// <summary>The current tick, at least the previous one.</summary>
    public long Now()
    {
        var now = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        while (true)
        {
            var last = Volatile.Read(ref _lastTick);
            if (now <= last)
            {
                return last;
            }

            if (Interlocked.CompareExchange(ref _lastTick, now, last) == last)
            {
                return now;
            }
        }
    }

    /// <summary>Raises the last tick to at least <paramref name="tick"/> (used while replaying).</summary>
    public void Observe(long tick)
    {
        while (true)
        {
            var last = Volatile.Read(ref _lastTick);
            if (tick <= last || Interlocked.CompareExchange(ref _lastTick, tick, last) == last)
            {
                return;
            }
        }
    }
}
