using System.Runtime.CompilerServices;

namespace SlateDB.Format.Blocks;

/// <summary>
/// A cursor over the rows of one <see cref="Block"/>, in both directions. A new iterator is not positioned:
/// call <see cref="SeekToFirst"/>, <see cref="SeekToLast"/>, <see cref="Seek"/> or <see cref="SeekForPrev"/>
/// first. Seeks assume the block's keys ascend (as in compacted and L0 SSTs; WAL blocks hold rows in
/// sequence order and are only read front to back). Rows that turn out to be corrupt throw a
/// <see cref="SlateDbErrorKind.Data"/> exception. Not thread-safe; the block itself may be shared.
/// </summary>
internal abstract class BlockIterator
{
    private protected BlockIterator(Block block) => Block = block;

    /// <summary>The block being read.</summary>
    public Block Block { get; private set; }

    /// <summary>
    /// Points this iterator at another block of the same format, unpositioned, so a reader moving through many blocks
    /// keeps one iterator (and its buffers). Rows handed out before stay valid.
    /// </summary>
    /// <exception cref="ArgumentException">The block has another format version.</exception>
    public void Reset(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Version != Block.Version)
        {
            throw new ArgumentException($"A {Block.Version} block iterator cannot read a {block.Version} block.", nameof(block));
        }

        Block = block;
        ResetCore(block);
    }

    private protected abstract void ResetCore(Block block);

    /// <summary>Whether the iterator is on a row.</summary>
    public abstract bool IsValid { get; }

    /// <summary>The row under the cursor; its key and value stay valid after the cursor moves.</summary>
    public RowEntry Current
    {
        get
        {
            if (!IsValid)
            {
                throw new InvalidOperationException("The block iterator is not positioned on a row.");
            }

            return CurrentCore;
        }
    }

    private protected abstract RowEntry CurrentCore { get; }

    /// <summary>Moves to the first row.</summary>
    public abstract void SeekToFirst();

    /// <summary>Moves to the last row.</summary>
    public abstract void SeekToLast();

    /// <summary>Moves to the first row whose key is at least <paramref name="key"/>; invalid if there is none.</summary>
    public abstract void Seek(ReadOnlySpan<byte> key);

    /// <summary>Moves to the last row whose key is at most <paramref name="key"/>; invalid if there is none.</summary>
    public abstract void SeekForPrev(ReadOnlySpan<byte> key);

    /// <summary>Moves to the next row; returns <see cref="IsValid"/>.</summary>
    public bool Next()
    {
        EnsureValid();
        return NextCore();
    }

    /// <summary>Moves to the previous row; returns <see cref="IsValid"/>.</summary>
    public bool Prev()
    {
        EnsureValid();
        return PrevCore();
    }

    private protected abstract bool NextCore();

    private protected abstract bool PrevCore();

    /// <summary>
    /// Compares the key <c>prefix ++ suffix</c> with <paramref name="target"/> bytewise (unsigned) without
    /// joining the two parts.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int CompareSplitKey(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> target)
    {
        if (prefix.Length > target.Length)
        {
            var head = prefix[..target.Length].SequenceCompareTo(target);
            return head != 0 ? head : 1;
        }

        var order = prefix.SequenceCompareTo(target[..prefix.Length]);
        return order != 0 ? order : suffix.SequenceCompareTo(target[prefix.Length..]);
    }

    private void EnsureValid()
    {
        if (!IsValid)
        {
            throw new InvalidOperationException("The block iterator is not positioned on a row.");
        }
    }
}
