namespace SlateDB;

/// <summary>When the writer writes its WAL buffer to the WAL (an object-store PUT for the default WAL).</summary>
public enum WalFlushPolicy
{
    /// <summary>
    /// At a fixed rate, every <see cref="SlateDbOptions.FlushInterval"/> (and when asked, or the buffer is full):
    /// SlateDB's behaviour and cost model, one PUT per interval at most under any load. A durable write waits for the
    /// next tick, about one interval plus one PUT.
    /// </summary>
    FixedInterval,

    /// <summary>
    /// Group commit: a WAL write starts as soon as a write waits for durability and no WAL write is in flight, at
    /// least <see cref="SlateDbOptions.WalFlushMinInterval"/> after the previous one started; everything written
    /// meanwhile goes out together in the next one. At light load a durable write costs about one PUT round trip;
    /// under load the WAL is written back to back, so PUTs per second (and their cost) are bounded by the store's
    /// latency and the floor rather than by <see cref="SlateDbOptions.FlushInterval"/>. Writes that do not wait for
    /// durability are still written every <see cref="SlateDbOptions.FlushInterval"/>.
    /// </summary>
    Eager,
}
