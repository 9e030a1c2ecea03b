using System.Buffers;
using System.Buffers.Binary;

namespace SlateDB.Format.Blocks;

/// <summary>
/// Builds one data block of either format: rows go in (in the order they must be read back) until the block
/// reaches its target size, then <see cref="Build"/> yields <c>data ++ offsets (u16 BE) ++ count (u16 BE)</c>.
/// An empty builder accepts any one row, however large; after that a row is accepted only while the block
/// stays within the target size, computed exactly as SlateDB does so blocks split at the same rows.
/// </summary>
internal abstract class BlockBuilder
{
    /// <summary>SlateDB's default block size.</summary>
    public const int DefaultBlockSize = 4096;

    /// <summary>The largest block size: offsets are u16, so block data must stay within 64 KiB.</summary>
    public const int MaxBlockSize = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _data;
    private readonly List<ushort> _offsets = [];

    private protected BlockBuilder(int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, MaxBlockSize);
        BlockSize = blockSize;
        _data = new ArrayBufferWriter<byte>(blockSize);
    }

    /// <summary>The encoding this builder writes.</summary>
    public abstract BlockFormatVersion Version { get; }

    /// <summary>The target size of the encoded block.</summary>
    public int BlockSize { get; }

    /// <summary>How many rows the block holds.</summary>
    public int EntryCount { get; private set; }

    /// <summary>Whether no row has been added.</summary>
    public bool IsEmpty => EntryCount == 0;

    /// <summary>The size the block would have if built now.</summary>
    public int EncodedLength => _data.WrittenCount + (2 * _offsets.Count) + 2;

    /// <summary>The number of row bytes written so far.</summary>
    private protected int DataLength => _data.WrittenCount;

    /// <summary>The number of u16 offsets recorded so far.</summary>
    private protected int OffsetCount => _offsets.Count;

    /// <summary>Creates a builder for <paramref name="version"/> blocks of <paramref name="blockSize"/> bytes.</summary>
    public static BlockBuilder Create(BlockFormatVersion version, int blockSize = DefaultBlockSize) => version switch
    {
        BlockFormatVersion.V1 => new BlockBuilderV1(blockSize),
        BlockFormatVersion.V2 => new BlockBuilderV2(blockSize),
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown block format version."),
    };

    /// <summary>Whether <paramref name="row"/> would be accepted now.</summary>
    public bool WouldFit(in RowEntry row) => IsEmpty || TryMeasure(row, out _, out _);

    /// <summary>
    /// Adds <paramref name="row"/> if it fits; returns false (leaving the block unchanged) when it does not.
    /// Throws <see cref="ArgumentException"/> for an empty key or one the format cannot store.
    /// </summary>
    public bool TryAdd(in RowEntry row)
    {
        if (row.Key.IsEmpty)
        {
            throw new ArgumentException("A row key must not be empty.", nameof(row));
        }

        CheckRow(row);
        if (!TryMeasure(row, out var sharedLength, out var encodedSize) && !IsEmpty)
        {
            return false;
        }

        Append(row, sharedLength, encodedSize);
        EntryCount++;
        return true;
    }

    /// <summary>Writes the block into <paramref name="destination"/> (at least <see cref="EncodedLength"/> bytes) and returns its length.</summary>
    public int WriteTo(Span<byte> destination)
    {
        if (IsEmpty)
        {
            throw new InvalidOperationException("An empty block cannot be built.");
        }

        var length = EncodedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the block needs {length}.", nameof(destination));
        }

        _data.WrittenSpan.CopyTo(destination);
        var pos = _data.WrittenCount;
        foreach (var offset in _offsets)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], offset);
            pos += 2;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], (ushort)_offsets.Count);
        return length;
    }

    /// <summary>Returns the encoded block as a new array. Throws <see cref="InvalidOperationException"/> if the block is empty.</summary>
    public byte[] Build()
    {
        if (IsEmpty)
        {
            throw new InvalidOperationException("An empty block cannot be built.");
        }

        var block = new byte[EncodedLength];
        WriteTo(block);
        return block;
    }

    /// <summary>Empties the builder so it can build another block.</summary>
    public void Reset()
    {
        _data.ResetWrittenCount();
        _offsets.Clear();
        EntryCount = 0;
        ResetCore();
    }

    /// <summary>
    /// Works out how the row would be stored next (key bytes shared, encoded size) and whether it fits a block
    /// that already holds rows, by SlateDB's rule for this format.
    /// </summary>
    private protected abstract bool TryMeasure(in RowEntry row, out int sharedLength, out int encodedSize);

    /// <summary>Throws <see cref="ArgumentException"/> for a row this format cannot store.</summary>
    private protected virtual void CheckRow(in RowEntry row)
    {
    }

    /// <summary>Encodes the row as measured by <see cref="TryMeasure"/> and records any offset it needs.</summary>
    private protected abstract void Append(in RowEntry row, int sharedLength, int encodedSize);

    /// <summary>Clears format-specific state.</summary>
    private protected abstract void ResetCore();

    /// <summary>Records the current data length as an offset (callers check <see cref="CanAddOffset"/> first).</summary>
    private protected void AddOffsetHere()
    {
        _offsets.Add(checked((ushort)_data.WrittenCount));
    }

    /// <summary>Whether another offset pointing at the current end of data can be stored.</summary>
    private protected bool CanAddOffset => _data.WrittenCount <= ushort.MaxValue && _offsets.Count < ushort.MaxValue;

    /// <summary>A span of at least <paramref name="size"/> bytes at the end of the data.</summary>
    private protected Span<byte> GetDataSpan(int size) => _data.GetSpan(size);

    /// <summary>Commits <paramref name="count"/> bytes written into the span from <see cref="GetDataSpan"/>.</summary>
    private protected void AdvanceData(int count) => _data.Advance(count);
}
