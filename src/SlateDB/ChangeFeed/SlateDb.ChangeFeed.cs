using SlateDB.Feed;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>A reader of this database's WAL files (see <see cref="SlateDB.WalReader"/>).</summary>
    public WalReader WalReader() => new(_c.Wal);

    /// <summary>
    /// This database's change feed (see <see cref="ChangeFeed"/>): durable writes in sequence order, following the
    /// database until cancelled; woken by each WAL write of this instance, and polling for other writers' after a
    /// restart or failover.
    /// </summary>
    /// <exception cref="SlateDbException">Invalid: the WAL is disabled (writes never pass through a WAL). Data: see <see cref="ChangeFeed"/>.</exception>
    public IAsyncEnumerable<ChangeEvent> ChangesAsync(ChangeFeedOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!_c.Options.WalEnabled)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, "The change feed reads the WAL, and this database runs with wal_enabled = false: its writes never pass through a WAL.");
        }

        var resolved = ChangeFeed.Check(options);
        var time = _c.TimeProvider;
        var wal = _wal;
        return new WalFollower(_c.Wal, resolved, token => Task.WhenAny(wal.NextWrittenAsync(), Task.Delay(resolved.PollInterval, time, token)).Unwrap()).ReadAsync(cancellationToken);
    }
}
