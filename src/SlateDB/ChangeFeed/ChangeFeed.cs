using SlateDB.Feed;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Wal;

namespace SlateDB;

/// <summary>
/// A change feed (change data capture) read from a database's WAL: every durable write's rows, in sequence order,
/// with no gaps and no duplicates, following the database as it is written, across WAL flushes, L0 flushes,
/// compactions and writer restarts. Works from the store alone (another process than the writer) or in-process
/// (<see cref="SlateDb.ChangesAsync"/>). It sees a write once it is durable in the WAL, so it needs the WAL enabled.
/// </summary>
/// <remarks>
/// WAL files whose rows reached L0 are deleted by the garbage collector after its WAL minimum age; a consumer that
/// falls further behind fails with <see cref="SlateDbErrorKind.Data"/>, naming the first sequence it missed, never
/// a silent gap. Sequences of one database are dense (every write takes the next one), which is how a gap is seen.
/// </remarks>
public static class ChangeFeed
{
    /// <summary>Follows the WAL of the database at <paramref name="path"/> in <paramref name="objectStore"/> until cancelled.</summary>
    /// <param name="path">The database's path.</param>
    /// <param name="objectStore">The store holding the WAL (the WAL store when the database has a separate one).</param>
    /// <param name="options">Where to start and how often to poll; null for the defaults (oldest retained, 100 ms).</param>
    /// <param name="timeProvider">The clock polls wait on; null for the system clock.</param>
    /// <param name="cancellationToken">Ends the feed.</param>
    /// <exception cref="SlateDbException">Data: the WAL no longer holds a sequence the feed needs (the message names it), or a WAL file is damaged.</exception>
    public static IAsyncEnumerable<ChangeEvent> ReadAsync(
        string path,
        IObjectStore objectStore,
        ChangeFeedOptions? options = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(objectStore);
        var wal = new ObjectStoreWal(objectStore, new DbPaths(path), SstBuildSettings.From(SlateDbOptions.Default));
        var time = timeProvider ?? TimeProvider.System;
        var resolved = Check(options);
        return new WalFollower(wal, resolved, token => Task.Delay(resolved.PollInterval, time, token)).ReadAsync(cancellationToken);
    }

    internal static ChangeFeedOptions Check(ChangeFeedOptions? options)
    {
        var o = options ?? new ChangeFeedOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(o.FromSequence ?? 0, nameof(ChangeFeedOptions.FromSequence));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(o.PollInterval, TimeSpan.Zero, nameof(ChangeFeedOptions.PollInterval));
        return o;
    }
}
