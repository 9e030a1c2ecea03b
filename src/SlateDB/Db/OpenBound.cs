using SlateDB.Composition;
using SlateDB.Storage;

namespace SlateDB.Db;

/// <summary>
/// Bounds an open in time: it gives up, with <see cref="SlateDbErrorKind.Unavailable"/>, once no object-store request
/// has succeeded for the bound (an unreachable endpoint, an outage, a request that hangs). An open that makes progress,
/// however long its WAL replay, is never cut short. Permanent failures surface at once without it.
/// </summary>
internal sealed class OpenBound : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly DbComponents _c;
    private readonly TimeSpan _bound;
    private readonly long _start;
    private volatile bool _expired;

    private OpenBound(DbComponents components, TimeSpan bound, CancellationToken callerToken)
    {
        _c = components;
        _bound = bound;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        _start = components.TimeProvider.GetTimestamp();
        if (bound != Timeout.InfiniteTimeSpan && components.Retrying is not null)
        {
            _ = WatchAsync();
        }
    }

    /// <summary>The token the open runs with: the caller's, cancelled also when the bound expires.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>True when the bound cancelled the open.</summary>
    public bool Expired => _expired;

    public static OpenBound Start(DbComponents components, TimeSpan bound, CancellationToken callerToken) => new(components, bound, callerToken);

    /// <summary>The error an expired open fails with, naming the last failure the store reported.</summary>
    public SlateDbException Error()
    {
        var last = _c.Retrying?.LastTransientFailure;
        Log.OpenTimedOut(_c.LoggerFactory.CreateLogger("SlateDB"), _c.Path, _bound, last);
        var detail = last is null ? "no request completed" : "the last failure: " + ObjectStoreFailure.FirstLine(last.Message);
        return new SlateDbException(
            SlateDbErrorKind.Unavailable,
            $"Opening '{_c.Path}' gave up after {_bound.TotalSeconds:0.#} s without a successful object-store request ({detail}). Check that the object store is reachable; raise the bound with SlateDbBuilder.WithOpenTimeout.",
            last);
    }

    public void Dispose()
    {
        _cts.Cancel();
        _cts.Dispose();
    }

    private async Task WatchAsync()
    {
        var time = _c.TimeProvider;
        var retrying = _c.Retrying!;
        var tick = TimeSpan.FromTicks(Math.Clamp(_bound.Ticks / 4, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerSecond));
        var token = _cts.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(tick, time, token).ConfigureAwait(false);
                var since = Math.Max(_start, retrying.LastSuccessTimestamp);
                if (time.GetElapsedTime(since) >= _bound)
                {
                    _expired = true;
                    await _cts.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
