using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Wal;

/// <summary>
/// The highest sequence number in a WAL object of the object store, read in pieces: the writer's open checks the
/// newest flushed WAL object against the manifest (<see cref="Manifest.ManifestWalCheck"/>), and that object can be
/// as large as a memtable (a WAL buffer flushed by size, or while an upload was slow). Reading it whole and keeping
/// its rows cost several times its size in memory at every open; here it is read from its end in pieces of at most
/// <see cref="PieceBytes"/> (the last one with its metadata, then <see cref="PiecesInFlight"/> at a time), and none of
/// its rows is kept.
/// </summary>
internal static class WalMaxSeq
{
    /// <summary>The most bytes of blocks read at once.</summary>
    public const int PieceBytes = 4 * 1024 * 1024;

    /// <summary>Pieces read at once: the next one is read while one is scanned (a slow store's round trips overlap).</summary>
    public const int PiecesInFlight = 2;

    /// <summary>
    /// The highest sequence number of the rows in the WAL SST <paramref name="wal"/> at <paramref name="path"/>; null
    /// when it holds no rows (a fence) or is gone since it was listed (the collector may delete flushed WAL objects).
    /// </summary>
    /// <exception cref="SlateDbException">Data: the object is damaged.</exception>
    public static Task<ulong?> ReadAsync(IObjectStore store, string path, WalObjectInfo wal, CancellationToken cancellationToken) =>
        ReadAsync(store, path, wal, PieceBytes, cancellationToken);

    /// <summary>As <see cref="ReadAsync(IObjectStore, string, WalObjectInfo, CancellationToken)"/>, in pieces of <paramref name="pieceBytes"/> (tests).</summary>
    internal static async Task<ulong?> ReadAsync(IObjectStore store, string path, WalObjectInfo wal, int pieceBytes, CancellationToken cancellationToken)
    {
        if (wal.Size == 0)
        {
            // A zero-byte fence written by a newer SlateDB.
            return null;
        }

        try
        {
            return await ScanAsync(store, path, wal.Size, pieceBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (SlateDbException failed) when (failed.Kind == SlateDbErrorKind.Data)
        {
            if (await store.HeadAsync(path, cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }

            throw;
        }
    }

    private static async Task<ulong?> ScanAsync(IObjectStore store, string path, long size, int pieceBytes, CancellationToken cancellationToken)
    {
        // The last piece first: it holds the footer, info, index and filter (small for a WAL object) and the last
        // blocks, so an object of up to one piece takes one request, and a larger one no separate metadata reads.
        var tailOffset = Math.Max(0, size - pieceBytes);
        var tail = await SstFile.ReadRangeAsync(store, path, ByteRange.FromBounds(tailOffset, size), cancellationToken).ConfigureAwait(false);
        SstFile sst;
        try
        {
            sst = SstFile.OpenTail(tail, tailOffset, path);
        }
        catch (SlateDbException metadataBeforeTail) when (metadataBeforeTail.Kind == SlateDbErrorKind.Data && tailOffset > 0)
        {
            // Index and filter larger than the piece: open it as any SST, which reports real damage as well.
            sst = await SstFile.OpenAsync(store, path, size, knownInfo: null, knownVersion: 0, cancellationToken).ConfigureAwait(false);
        }

        var inTail = sst.BlockCount;
        while (inTail > 0 && sst.BlockRange(inTail - 1).Offset >= tailOffset)
        {
            inTail--;
        }

        var max = MaxSeqOf(sst, inTail, sst.BlockCount, tail, tailOffset);
        tail = default;
        var pieces = Pieces(sst, inTail, pieceBytes);
        var reads = new Queue<Task<ReadOnlyMemory<byte>>>();
        var started = 0;
        try
        {
            foreach (var (first, next) in pieces)
            {
                while (started < pieces.Count && reads.Count < PiecesInFlight)
                {
                    var (from, to) = pieces[started++];
                    reads.Enqueue(SstFile.ReadRangeAsync(store, path, RangeOf(sst, from, to), cancellationToken).AsTask());
                }

                var piece = await reads.Dequeue().ConfigureAwait(false);
                max = Max(max, MaxSeqOf(sst, first, next, piece, sst.BlockRange(first).Offset));
            }
        }
        catch
        {
            // The pieces still being read finish (and their failures are observed) before the first failure is reported.
            await Task.WhenAny(Task.WhenAll(reads)).ConfigureAwait(false);
            throw;
        }

        return max;
    }

    /// <summary>The highest sequence number in blocks [first, next), held in <paramref name="bytes"/> from <paramref name="offset"/>.</summary>
    private static ulong? MaxSeqOf(SstFile sst, int first, int next, ReadOnlyMemory<byte> bytes, long offset) =>
        sst.RowsOf(first, next, bytes, offset).Max(row => (ulong?)row.Seq);

    private static ulong? Max(ulong? a, ulong? b) => a is { } x && (b is not { } y || x >= y) ? a : b;

    /// <summary>
    /// Runs of consecutive blocks [first, next) before block <paramref name="end"/>, each of at most
    /// <paramref name="pieceBytes"/> (a larger block alone).
    /// </summary>
    private static List<(int First, int Next)> Pieces(SstFile sst, int end, int pieceBytes)
    {
        var pieces = new List<(int, int)>();
        for (var first = 0; first < end;)
        {
            var next = sst.RunEnd(first, end, pieceBytes);
            pieces.Add((first, next));
            first = next;
        }

        return pieces;
    }

    private static ByteRange RangeOf(SstFile sst, int first, int next) => ByteRange.FromBounds(sst.BlockRange(first).Offset, sst.BlockRange(next - 1).End);
}
