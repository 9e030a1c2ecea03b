using SlateDB.Storage;

namespace SlateDB;

/// <summary>
/// Builds a <see cref="SlateDb"/> from settings and components (clock, logging, metrics, seed). Settings are data
/// (<see cref="SlateDbOptions"/>); components are objects the database uses but does not own.
/// </summary>
public sealed class SlateDbBuilder : ComponentsBuilder<SlateDbBuilder>
{
    private SlateDbOptions _options = SlateDbOptions.Default;
    private Caching.IBlockCache? _blockCache;
    private bool _blockCacheDisabled;
    private IMergeOperator? _mergeOperator;
    private TransactionOptions _transactions = TransactionOptions.Default;

    internal SlateDbBuilder(string path, IObjectStore store)
        : base(path, store)
    {
    }

    /// <summary>Uses these settings instead of the defaults.</summary>
    public SlateDbBuilder WithOptions(SlateDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
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

    /// <summary>
    /// Folds merge operands with this operator (SlateDB's <c>with_merge_operator</c>): needed to write merges and to
    /// read, flush or compact a database that holds operands. The embedded compactor uses it too.
    /// </summary>
    public SlateDbBuilder WithMergeOperator(IMergeOperator mergeOperator)
    {
        ArgumentNullException.ThrowIfNull(mergeOperator);
        _mergeOperator = mergeOperator;
        return this;
    }

    /// <summary>Uses these limits on transactions (maximum age, tracked keys) instead of <see cref="TransactionOptions.Default"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public SlateDbBuilder WithTransactionOptions(TransactionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _transactions = options;
        return this;
    }

    /// <summary>Opens (or creates) the database.</summary>
    public Task<SlateDb> OpenAsync(CancellationToken cancellationToken = default)
    {
        _options.Validate();
        var settings = Settings(_options) with { BlockCache = _blockCache, BlockCacheDisabled = _blockCacheDisabled, MergeOperator = _mergeOperator, Transactions = _transactions };
        return SlateDb.OpenCoreAsync(settings, cancellationToken);
    }
}
