using SlateDB.Format.Blocks;
using SlateDB.Sst;

namespace SlateDB.Iterators;

/// <summary>
/// The adjacent blocks one read of an SST iterator fetched, in the scan's order: either decoded as they landed (a
/// scan's reads, the blocks the cache may keep), or kept as the stored bytes and decoded one at a time when the
/// iterator reaches each (a merge with <see cref="BlockBuffers"/>: a compaction's read-ahead), into pooled buffers.
/// </summary>
/// <remarks>
/// A lazy run owns the read buffer (when the store filled a rented one) and the buffer of the block decoded last.
/// Taking the next block retires the previous block's buffer (the iterator has left it); <see cref="Retire"/> hands the
/// rest over when the iterator leaves the run. Retiring does not free: see <see cref="BlockBuffers"/>.
/// </remarks>
internal sealed class BlockRun
{
    private readonly Block[]? _decoded;
    private readonly SstFile? _sst;
    private readonly int _first;
    private readonly bool _reversed;
    private readonly ReadOnlyMemory<byte> _stored;
    private readonly long _storedStart;
    private byte[]? _readBuffer;
    private byte[]? _lastDecodedBuffer;

    private BlockRun(Block[] decoded)
    {
        _decoded = decoded;
        Count = decoded.Length;
    }

    private BlockRun(SstFile sst, int first, int count, bool reversed, ReadOnlyMemory<byte> stored, long storedStart, byte[]? readBuffer)
    {
        _sst = sst;
        _first = first;
        Count = count;
        _reversed = reversed;
        _stored = stored;
        _storedStart = storedStart;
        _readBuffer = readBuffer;
    }

    /// <summary>How many blocks the run holds.</summary>
    public int Count { get; }

    /// <summary>A run of blocks decoded already, in the scan's order.</summary>
    public static BlockRun Of(Block[] blocks) => new(blocks);

    /// <summary>
    /// A run of blocks <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 (taken
    /// last to first when <paramref name="reversed"/>) still stored: <paramref name="stored"/> holds their bytes from
    /// object offset <paramref name="storedStart"/>, in <paramref name="readBuffer"/> when that was rented.
    /// </summary>
    public static BlockRun Stored(SstFile sst, int first, int count, bool reversed, ReadOnlyMemory<byte> stored, long storedStart, byte[]? readBuffer) =>
        new(sst, first, count, reversed, stored, storedStart, readBuffer);

    /// <summary>
    /// The block at <paramref name="index"/> in the scan's order, decoded now for a stored run (each index is taken
    /// once, in order: taking one retires the block taken before into <paramref name="buffers"/>).
    /// </summary>
    public Block Take(int index, BlockBuffers? buffers)
    {
        if (_decoded is not null)
        {
            return _decoded[index];
        }

        var sst = _sst!;
        var block = _first + (_reversed ? Count - 1 - index : index);
        var range = sst.BlockRange(block);
        var stored = _stored.Slice((int)(range.Offset - _storedStart), (int)range.Length);
        if (buffers is null)
        {
            return sst.DecodeBlock(stored);
        }

        var decoded = PooledBlockDecoder.Decode(sst, stored, buffers, out var rented);
        if (_lastDecodedBuffer is { } left)
        {
            buffers.Retire(left);
        }

        _lastDecodedBuffer = rented;
        return decoded;
    }

    /// <summary>The iterator left the run: its buffers are retired into <paramref name="buffers"/> (once).</summary>
    public void Retire(BlockBuffers buffers)
    {
        if (_readBuffer is { } read)
        {
            _readBuffer = null;
            buffers.Retire(read);
        }

        if (_lastDecodedBuffer is { } decoded)
        {
            _lastDecodedBuffer = null;
            buffers.Retire(decoded);
        }
    }
}
