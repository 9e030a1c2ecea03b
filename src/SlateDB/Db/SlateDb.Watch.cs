using System.Runtime.CompilerServices;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>
    /// Rereads the newest manifest now (normally every <see cref="SlateDbOptions.ManifestPollInterval"/>): picks up
    /// compactions and checkpoints written by other processes, and notices a newer writer (which fences this one).
    /// </summary>
    /// <exception cref="SlateDbException">Closed: the database is closed, or a newer writer fenced it.</exception>
    public async ValueTask RefreshManifestAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        try
        {
            await RefreshManifestCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed)
        {
            Fail(e, "refreshing the manifest");
            throw;
        }
    }

    /// <summary>
    /// The database's <see cref="Status"/> now, and again each time it changes (a WAL write, an L0 flush, a manifest
    /// change, the close): SlateDB's <c>subscribe</c>. Ends after the status that reports the database closed, or when
    /// <paramref name="cancellationToken"/> is cancelled. Statuses in between may be skipped by a slow consumer; the
    /// newest is never missed.
    /// </summary>
    public async IAsyncEnumerable<DbStatus> WatchStatusAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        DbStatus? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = Volatile.Read(ref _flushProgress).Task;
            var status = Status;
            if (!status.Equals(last))
            {
                last = status;
                yield return status;
            }

            if (status.State is DbOpenState.Closed or DbOpenState.Fenced or DbOpenState.Failed)
            {
                yield break;
            }

            if (status.State == DbOpenState.Closing)
            {
                // The close signals progress once it is done; wait for the close itself as well.
                Task? close;
                lock (_closeLock)
                {
                    close = _closeTask;
                }

                changed = close is null ? changed : Task.WhenAny(changed, close);
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
