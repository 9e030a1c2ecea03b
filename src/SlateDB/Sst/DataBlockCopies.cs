namespace SlateDB.Sst;

/// <summary>
/// Copies of the first data blocks of an SST being streamed (each block's stored bytes with their checksum, in block
/// order), up to <paramref name="capBytes"/> of cache charge (a block's stored length and 64, as reads charge it):
/// what a streamed L0 flush puts into the block cache once its object is published (warm on write). The copies stop
/// at the first block that does not fit, so they are always the SST's first blocks. The copies go where the cache's
/// blocks live (<see cref="Caching.PinnedBlockMemory"/>), since the cache keeps them.
/// </summary>
internal sealed class DataBlockCopies(long capBytes)
{
    private readonly List<Memory<byte>> _blocks = [];
    private long _charged;
    private bool _full;

    /// <summary>
    /// The copy of <paramref name="sst"/>'s data block <paramref name="index"/> (the SST these copies were taken of),
    /// or null past the copied blocks.
    /// </summary>
    public ReadOnlyMemory<byte>? StoredBlock(SstFile sst, int index)
    {
        if (index >= _blocks.Count)
        {
            return null;
        }

        if (_blocks[index].Length != sst.BlockRange(index).Length)
        {
            // Cannot happen (the copies are the builder's blocks, in order); the SST is published, so it must not fail the flush.
            System.Diagnostics.Debug.Fail($"The copy of data block {index} of '{sst.Path}' is {_blocks[index].Length} bytes, the block {sst.BlockRange(index).Length}.");
            return null;
        }

        return _blocks[index];
    }

    /// <summary>Copies a finished data block's stored bytes while the cap allows (nothing once one did not fit).</summary>
    public void Offer(ReadOnlySpan<byte> stored)
    {
        if (_full)
        {
            return;
        }

        var charge = SstFile.CacheCharge(stored.Length);
        if (_charged + charge > capBytes)
        {
            _full = true;
            return;
        }

        _blocks.Add(Caching.PinnedBlockMemory.CopyOf(stored));
        _charged += charge;
    }
}
