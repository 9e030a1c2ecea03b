using Microsoft.Extensions.Diagnostics.HealthChecks;
using SlateDB.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a health check for a hosted SlateDB database.</summary>
public static class SlateDbHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the database's <see cref="SlateDB.SlateDb.Status"/> (no I/O): Healthy when open, Degraded while
    /// writers are held by backpressure, <paramref name="failureStatus"/> (Unhealthy by default) when not yet open,
    /// closing, closed, fenced or failed.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="serviceKey">The key given to <c>AddKeyedSlateDb</c>; null for the default database.</param>
    /// <param name="name">The check's name; default <c>slatedb</c>, or <c>slatedb-{serviceKey}</c>.</param>
    /// <param name="failureStatus">What a database that cannot serve reports; null for Unhealthy.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IHealthChecksBuilder AddSlateDbHealthCheck(
        this IHealthChecksBuilder builder,
        string? serviceKey = null,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name ?? (serviceKey is null ? "slatedb" : $"slatedb-{serviceKey}"),
            sp => new SlateDbHealthCheck(serviceKey is null ? sp.GetRequiredService<SlateDbAccessor>() : sp.GetRequiredKeyedService<SlateDbAccessor>(serviceKey)),
            failureStatus,
            tags));
    }
}
