using System.Diagnostics;

namespace SlateDB.Simulation.Harness;

/// <summary>
/// Waits until the engine has nothing left to do at the current virtual instant: no thread-pool work queued or
/// running, seen several times in a row. The harness runs on a thread of its own and only moves virtual time or acts
/// when the engine has settled, so the engine's background tasks run one step at a time between its decisions.
/// </summary>
internal static class Quiescence
{
    private const int StableChecks = 3;

    /// <summary>
    /// Pool threads busy with something other than the engine (the test host's own), measured before the engine starts.
    /// </summary>
    [ThreadStatic]
    private static int t_baseline;

    /// <summary>Measures the busy pool threads the test host itself holds, before the simulation starts anything.</summary>
    public static void MeasureBaseline()
    {
        var lowest = int.MaxValue;
        for (var i = 0; i < 50; i++)
        {
            lowest = Math.Min(lowest, BusyWorkers());
            Thread.Sleep(i % 10 == 0 ? 1 : 0);
        }

        t_baseline = lowest;
    }

    /// <summary>Waits for quiet; throws when the engine is still busy after <paramref name="timeout"/> (a livelock).</summary>
    public static void WaitForIdle(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var stable = 0;
        var spin = new SpinWait();
        while (stable < StableChecks)
        {
            if (ThreadPool.PendingWorkItemCount == 0 && BusyWorkers() <= t_baseline)
            {
                stable++;
                Thread.Yield();
                continue;
            }

            stable = 0;
            spin.SpinOnce(sleep1Threshold: 40);
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"The engine did not settle within {timeout.TotalSeconds:0.#} s (pending work items {ThreadPool.PendingWorkItemCount}, busy workers {BusyWorkers()}, of which the test host's {t_baseline}): a livelock or a busy loop in virtual time.");
            }
        }
    }

    private static int BusyWorkers()
    {
        ThreadPool.GetMaxThreads(out var max, out _);
        ThreadPool.GetAvailableThreads(out var available, out _);
        return max - available;
    }
}
