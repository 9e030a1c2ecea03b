using SlateDB.Common;

namespace SlateDB.Manifest;

/// <summary>
/// Names an SST: a WAL SST by its 64-bit WAL id (<c>wal/&lt;id&gt;.sst</c>) or a compacted SST (L0 or sorted run) by
/// its ULID (<c>compacted/&lt;ulid&gt;.sst</c>).
/// </summary>
internal readonly record struct SsTableId
{
    private readonly ulong _walId;
    private readonly Ulid _compactedId;

    private SsTableId(bool isWal, ulong walId, Ulid compactedId)
    {
        IsWal = isWal;
        _walId = walId;
        _compactedId = compactedId;
    }

    /// <summary>True for a WAL SST, false for a compacted one.</summary>
    public bool IsWal { get; }

    /// <summary>The WAL id.</summary>
    /// <exception cref="InvalidOperationException">This is a compacted SST's id.</exception>
    public ulong WalId => IsWal ? _walId : throw new InvalidOperationException($"{this} is not a WAL SST id.");

    /// <summary>The compacted SST's ULID.</summary>
    /// <exception cref="InvalidOperationException">This is a WAL SST's id.</exception>
    public Ulid CompactedId => !IsWal ? _compactedId : throw new InvalidOperationException($"{this} is not a compacted SST id.");

    /// <summary>The id of a WAL SST.</summary>
    public static SsTableId Wal(ulong walId) => new(isWal: true, walId, default);

    /// <summary>The id of a compacted SST.</summary>
    public static SsTableId Compacted(Ulid ulid) => new(isWal: false, 0, ulid);

    /// <inheritdoc/>
    public override string ToString() => IsWal ? $"Wal({_walId})" : $"Compacted({_compactedId})";
}
