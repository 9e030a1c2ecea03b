using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SlateDB.Storage;

namespace SlateDB;

/// <summary>
/// Builds a <see cref="SlateDb"/> from settings and components (clock, logging, metrics, seed). Settings are data
/// (<see cref="SlateDbOptions"/>); components are objects the database uses but does not own.
/// </summary>
public sealed class SlateDbBuilder
{
    private readonly string _path;
    private readonly IObjectStore _store;
    private SlateDbOptions _options = SlateDbOptions.Default;
    private TimeProvider _timeProvider = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private IMeterFactory? _meterFactory;
    private int? _seed;
    private Caching.IBlockCache? _blockCache;
    private bool _blockCacheDisabled;

    internal SlateDbBuilder(string path, IObjectStore store)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(store);
        _path = path;
        _store = store;
    }

    /// <summary>Uses these settings instead of the defaults.</summary>
    public SlateDbBuilder WithOptions(SlateDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        return this;
    }

    /// <summary>Uses this clock for time, timers and timestamps (tests pass a fake one).</summary>
    public SlateDbBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        return this;
    }

    /// <summary>Logs through this factory (default: no logging).</summary>
    public SlateDbBuilder WithLoggerFactory(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Creates the <c>SlateDB</c> meter from this factory (default: a meter of its own).</summary>
    public SlateDbBuilder WithMeterFactory(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meterFactory = meterFactory;
        return this;
    }

    /// <summary>Seeds all of the database's randomness (ids, skip-list levels), for reproducible runs.</summary>
    public SlateDbBuilder WithSeed(int seed)
    {
        _seed = seed;
        return this;
    }

    /// <summary>
    /// Uses this block cache (which the caller owns and may share between databases) instead of a default
    /// <see cref="Caching.MemoryBlockCache"/> of 512 MiB for data and 128 MiB for metadata.
    /// </summary>
    public SlateDbBuilder WithBlockCache(Caching.IBlockCache blockCache)
    {
        ArgumentNullException.ThrowIfNull(blockCache);
        _blockCache = blockCache;
        _blockCacheDisabled = false;
        return this;
    }

    /// <summary>Caches no blocks and no SST metadata: every read goes to the object store.</summary>
    public SlateDbBuilder WithBlockCacheDisabled()
    {
        _blockCache = null;
        _blockCacheDisabled = true;
        return this;
    }

    /// <summary>Opens (or creates) the database.</summary>
    public Task<SlateDb> OpenAsync(CancellationToken cancellationToken = default)
    {
        _options.Validate();
        var settings = new DbOpenSettings(_path, _store, _options, _timeProvider, _loggerFactory, _meterFactory, _seed, _blockCache, _blockCacheDisabled);
        return SlateDb.OpenCoreAsync(settings, cancellationToken);
    }
}

/// <summary>Everything <see cref="SlateDbBuilder"/> collected.</summary>
internal sealed record DbOpenSettings(
    string Path,
    IObjectStore Store,
    SlateDbOptions Options,
    TimeProvider TimeProvider,
    ILoggerFactory LoggerFactory,
    IMeterFactory? MeterFactory,
    int? Seed,
    Caching.IBlockCache? BlockCache,
    bool BlockCacheDisabled);
