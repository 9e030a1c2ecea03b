using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SlateDB.Composition;
using SlateDB.Storage;

namespace SlateDB;

/// <summary>
/// What every builder of this library shares (<see cref="SlateDbBuilder"/>, <see cref="Compaction.CompactorBuilder"/>):
/// the database's location and the components it runs with but does not own: clock, logging, meter and seed.
/// </summary>
/// <typeparam name="TBuilder">The concrete builder, returned by each <c>With</c> method for chaining.</typeparam>
public abstract class ComponentsBuilder<TBuilder>
    where TBuilder : ComponentsBuilder<TBuilder>
{
    private TimeProvider _timeProvider = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private IMeterFactory? _meterFactory;
    private int? _seed;
    private string? _name;

    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="store"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    private protected ComponentsBuilder(string path, IObjectStore store)
    {
        DbPathArgument.Validate(path);
        ArgumentNullException.ThrowIfNull(store);
        Path = path;
        Store = store;
    }

    private protected string Path { get; }

    private protected IObjectStore Store { get; }

    private protected ILoggerFactory LoggerFactory => _loggerFactory;

    /// <summary>Uses this clock for time, timers, timestamps and ids (tests pass a fake one).</summary>
    public TBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        return (TBuilder)this;
    }

    /// <summary>Logs through this factory (default: no logging).</summary>
    public TBuilder WithLoggerFactory(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return (TBuilder)this;
    }

    /// <summary>Creates the <c>SlateDB</c> meter from this factory (default: a meter of its own).</summary>
    public TBuilder WithMeterFactory(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meterFactory = meterFactory;
        return (TBuilder)this;
    }

    /// <summary>Seeds all of the component's randomness (ids, skip-list levels, retry jitter), for reproducible runs.</summary>
    public TBuilder WithSeed(int seed)
    {
        _seed = seed;
        return (TBuilder)this;
    }

    /// <summary>
    /// Names the database in telemetry: the <c>db</c> tag on every metric and span (see
    /// <see cref="Diagnostics.SlateDbMeter"/>) and the <c>SlateDbName</c> log scope. Default: the database's path. Give
    /// each database in a process its own name when two could share a path (for example in different buckets).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public TBuilder WithTelemetryName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
        return (TBuilder)this;
    }

    /// <summary>The settings for <see cref="DbComponents.Create"/> with the components collected so far.</summary>
    private protected ComponentSettings Settings(SlateDbOptions options) =>
        new(Path, Store, options, _timeProvider, _loggerFactory, _meterFactory, _seed) { DbName = _name };
}
