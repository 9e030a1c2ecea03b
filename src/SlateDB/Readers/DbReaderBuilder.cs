using SlateDB.Storage;

namespace SlateDB;

/// <summary>Opens a <see cref="DbReader"/> with settings and components (clock, logging, metrics, seed).</summary>
public sealed class DbReaderBuilder : ComponentsBuilder<DbReaderBuilder>
{
    private DbReaderOptions _options = DbReaderOptions.Default;
    private IMergeOperator? _mergeOperator;

    internal DbReaderBuilder(string path, IObjectStore store)
        : base(path, store)
    {
    }

    /// <summary>Uses these settings instead of the defaults.</summary>
    public DbReaderBuilder WithOptions(DbReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        return this;
    }

    /// <summary>
    /// Folds merge operands with this operator (the same as the writer's): needed to read keys that hold operands,
    /// which are an <see cref="SlateDbErrorKind.Invalid"/> error without one.
    /// </summary>
    public DbReaderBuilder WithMergeOperator(IMergeOperator mergeOperator)
    {
        ArgumentNullException.ThrowIfNull(mergeOperator);
        _mergeOperator = mergeOperator;
        return this;
    }

    /// <summary>Opens the reader.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    /// <exception cref="SlateDbException">Invalid: no database at the path, or an unknown or expired checkpoint.</exception>
    public Task<DbReader> OpenAsync(CancellationToken cancellationToken = default)
    {
        _options.Validate();
        var engineOptions = SlateDbOptions.Default with { ObjectStoreMaxRetries = _options.ObjectStoreMaxRetries };
        var settings = Settings(engineOptions) with { BlockCache = _options.BlockCache, BlockCacheDisabled = _options.BlockCacheDisabled, MergeOperator = _mergeOperator };
        return DbReader.OpenCoreAsync(settings, _options, cancellationToken);
    }
}
