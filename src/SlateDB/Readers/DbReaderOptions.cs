namespace SlateDB;

/// <summary>Settings of a <see cref="DbReader"/> (SlateDB's <c>DbReaderOptions</c>); defaults as SlateDB's.</summary>
public sealed record DbReaderOptions
{
    /// <summary>The defaults.</summary>
    public static DbReaderOptions Default { get; } = new();

    /// <summary>How the reader chooses the state it reads. Default <see cref="DbReaderMode.ManagedCheckpoint"/>.</summary>
    public DbReaderMode Mode { get; init; } = DbReaderMode.ManagedCheckpoint;

    /// <summary>How often the reader rereads the manifest and the WAL tail (not in checkpoint mode). Default 10 s.</summary>
    public TimeSpan ManifestPollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The lifetime of a managed checkpoint, refreshed at half of it. Default 10 minutes; at least 1 s and at least
    /// twice <see cref="ManifestPollInterval"/>.
    /// </summary>
    public TimeSpan CheckpointLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The size at which a table of replayed WAL rows is closed and a new one started. Default 64 MiB.</summary>
    public long MaxMemtableBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>True: replay no WAL, read only what is in L0 and below. Default false.</summary>
    public bool SkipWalReplay { get; init; }

    /// <summary>
    /// The block cache (owned by the caller, may be shared with other readers and databases); null: a default
    /// <see cref="Caching.MemoryBlockCache"/> of the reader's own, unless <see cref="BlockCacheDisabled"/>.
    /// </summary>
    public Caching.IBlockCache? BlockCache { get; init; }

    /// <summary>True: cache no blocks and no SST metadata. Default false.</summary>
    public bool BlockCacheDisabled { get; init; }

    /// <summary>How many times a failed object-store request is retried; null: without limit (as SlateDB).</summary>
    public int? ObjectStoreMaxRetries { get; init; }

    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Mode, nameof(Mode));
        if (ManifestPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ManifestPollInterval), ManifestPollInterval, "The manifest poll interval must be positive.");
        }

        if (CheckpointLifetime < TimeSpan.FromSeconds(1) || CheckpointLifetime < 2 * ManifestPollInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(CheckpointLifetime), CheckpointLifetime, "The checkpoint lifetime must be at least 1 s and at least twice the manifest poll interval.");
        }

        if (MaxMemtableBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMemtableBytes), MaxMemtableBytes, "The memtable size must be positive.");
        }

        if (ObjectStoreMaxRetries is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ObjectStoreMaxRetries), ObjectStoreMaxRetries, "Retries cannot be negative.");
        }
    }
}
