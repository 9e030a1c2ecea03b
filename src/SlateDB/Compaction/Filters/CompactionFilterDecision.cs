namespace SlateDB.Compaction;

/// <summary>What an <see cref="ICompactionFilter"/> decided for one row (SlateDB's <c>CompactionFilterDecision</c>).</summary>
public enum CompactionFilterAction
{
    /// <summary>Write the row unchanged.</summary>
    Keep = 0,

    /// <summary>Write nothing for the row.</summary>
    Drop = 1,

    /// <summary>Write the row with what <see cref="CompactionFilterDecision.NewKind"/> and <see cref="CompactionFilterDecision.NewValue"/> say.</summary>
    Modify = 2,
}

/// <summary>
/// A filter's decision for one row: keep it, drop it, or replace what it holds. The key, sequence number and create
/// time never change.
/// </summary>
public readonly record struct CompactionFilterDecision
{
    private CompactionFilterDecision(CompactionFilterAction action, WalRowKind newKind, ReadOnlyMemory<byte> newValue)
    {
        Action = action;
        NewKind = newKind;
        NewValue = newValue;
    }

    /// <summary>Write the row unchanged.</summary>
    public static CompactionFilterDecision Keep => default;

    /// <summary>
    /// Write nothing for the row. No tombstone is left, so an older version of the key in an older sorted run (or one
    /// kept for a snapshot) becomes what reads see again; use <see cref="ToTombstone"/> to hide the key instead. For a
    /// merge operand, dropping removes just that operand.
    /// </summary>
    public static CompactionFilterDecision Drop => new(CompactionFilterAction.Drop, default, default);

    /// <summary>Turn the row into a tombstone (its expiry is cleared): the key reads as deleted, older versions stay hidden.</summary>
    public static CompactionFilterDecision ToTombstone => new(CompactionFilterAction.Modify, WalRowKind.Tombstone, default);

    /// <summary>What to do with the row.</summary>
    public CompactionFilterAction Action { get; }

    /// <summary>With <see cref="CompactionFilterAction.Modify"/>: what the row becomes.</summary>
    public WalRowKind NewKind { get; }

    /// <summary>With <see cref="CompactionFilterAction.Modify"/>: the new value or merge operand (empty for a tombstone).</summary>
    public ReadOnlyMemory<byte> NewValue { get; }

    /// <summary>Replace the row with a value (its expiry is kept). Applied to a tombstone, this brings the key back.</summary>
    public static CompactionFilterDecision ModifyValue(ReadOnlyMemory<byte> value) => new(CompactionFilterAction.Modify, WalRowKind.Value, value);

    /// <summary>Replace the row with a merge operand (its expiry is kept).</summary>
    public static CompactionFilterDecision ModifyMergeOperand(ReadOnlyMemory<byte> operand) => new(CompactionFilterAction.Modify, WalRowKind.Merge, operand);
}
