using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SlateDB.Extensions.Hosting;

/// <summary>
/// Reports a hosted database's <see cref="SlateDb.Status"/>: Healthy when open, Degraded while writers are held by
/// backpressure, the registration's failure status (Unhealthy by default) when not open yet, closing, closed, fenced
/// or failed.
/// </summary>
internal sealed class SlateDbHealthCheck(SlateDbAccessor accessor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!accessor.TryGetDatabase(out var database))
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "The database is not open yet: the host has not started it."));
        }

        var status = database.Status;
        var data = new Dictionary<string, object>
        {
            ["state"] = status.State.ToString(),
            ["closeReason"] = status.CloseReason.ToString(),
            ["durableSequence"] = status.DurableSequence,
            ["committedSequence"] = status.CommittedSequence,
            ["manifestId"] = status.ManifestId,
            ["writerEpoch"] = status.WriterEpoch,
            ["l0SstCount"] = status.L0SstCount,
            ["sortedRunCount"] = status.SortedRunCount,
            ["unflushedBytes"] = status.UnflushedBytes,
            ["writersHeldByBackpressure"] = status.WritersHeldByBackpressure,
        };
        var result = status.State switch
        {
            DbOpenState.Open when status.WritersHeldByBackpressure => HealthCheckResult.Degraded(
                $"Writers are held by backpressure: {status.UnflushedBytes} unflushed bytes reached max_unflushed_bytes while L0 flushes catch up.", data: data),
            DbOpenState.Open => HealthCheckResult.Healthy("The database is open.", data),
            DbOpenState.Fenced => new HealthCheckResult(context.Registration.FailureStatus, "The database is fenced: another writer opened it, and this instance can no longer write.", data: data),
            DbOpenState.Failed => new HealthCheckResult(context.Registration.FailureStatus, "The database failed: a fatal background error closed it.", data: data),
            _ => new HealthCheckResult(context.Registration.FailureStatus, $"The database is {status.State.ToString().ToLowerInvariant()}.", data: data),
        };
        return Task.FromResult(result);
    }
}
