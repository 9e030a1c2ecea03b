using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>How long the flush at process exit may take before the process is let go.</summary>
    internal static readonly TimeSpan ExitFlushTimeout = TimeSpan.FromSeconds(5);

    private EventHandler? _exitHandler;
    private PosixSignalRegistration? _interruptRegistration;

    /// <summary>
    /// Flushes at process exit (AppDomain.ProcessExit: a return from Main, Environment.Exit, SIGTERM) and on SIGINT
    /// (Ctrl+C), best effort and bounded by <see cref="ExitFlushTimeout"/>, when the database was not closed. Removed
    /// again at the close, so a closed database is not kept alive by the handlers.
    /// </summary>
    private void RegisterExitFlush(bool enabled)
    {
        if (!enabled)
        {
            return;
        }

        _exitHandler = (_, _) => FlushAtExit();
        AppDomain.CurrentDomain.ProcessExit += _exitHandler;
        if (!OperatingSystem.IsBrowser() && !OperatingSystem.IsWasi())
        {
            try
            {
                // The handler does not cancel the signal: after the flush the default action (termination) follows,
                // unless the application (a generic host, say) cancels it for its own graceful shutdown.
                _interruptRegistration = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => FlushAtExit());
            }
            catch (PlatformNotSupportedException)
            {
            }
        }
    }

    /// <summary>Removes the exit handlers (at the close).</summary>
    private void UnregisterExitFlush()
    {
        if (Interlocked.Exchange(ref _exitHandler, null) is { } handler)
        {
            AppDomain.CurrentDomain.ProcessExit -= handler;
        }

        Interlocked.Exchange(ref _interruptRegistration, null)?.Dispose();
    }

    private void FlushAtExit()
    {
        if (Volatile.Read(ref _closedError) is not null || Volatile.Read(ref _closing))
        {
            return;
        }

        var start = Stopwatch.GetTimestamp();
        var unflushed = State.UnflushedBytes;
        using var timeout = new CancellationTokenSource(ExitFlushTimeout, _c.TimeProvider);
        try
        {
            // Off this thread: the handler may run where blocking on the engine's continuations would deadlock.
            Task.Run(async () => await FlushAsync(timeout.Token).ConfigureAwait(false), timeout.Token).GetAwaiter().GetResult();
            Log.ExitFlushed(_logger, unflushed, (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        catch (OperationCanceledException)
        {
            Log.ExitFlushIncomplete(_logger, $"it took longer than {ExitFlushTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is SlateDbException or IOException)
        {
            Log.ExitFlushIncomplete(_logger, e.Message);
        }
    }
}
