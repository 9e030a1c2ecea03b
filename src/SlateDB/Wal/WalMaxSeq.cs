using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Wal;

/// <summary>
/// The highest sequence number in a WAL object of the object store, read in pieces: the writer's open checks the
/// newest flushed WAL object against the manifest (<see cref="Manifest.ManifestWalCheck"/>), and that object can be
/// as large as a memtable (a WAL buffer flushed by size, or while an upload was slow). Reading it whole and keeping
/// its rows cost several times its size in memory at every open; here at most <see cref="PiecesInFlight"/> pieces of
/// its blocks are held at a time, and none of its rows.
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
    public static async Task<ulong?> ReadAsync(IObjectStore store, string path, WalObjectInfo wal, CancellationToken cancellationToken)
    {
        if (wal.Size == 0)
        {
            // A zero-byte fence written by a newer SlateDB.
            return null;
        }

        try
        {
            return await ScanAsync(store, path, wal.Size, cancellationToken).ConfigureAwait(false);
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

    private static async Task<ulong?> ScanAsync(IObjectStore store, string path, long size, CancellationToken cancellationToken)
    {
        var sst = await SstFile.OpenAsync(store, path, size, knownInfo: null, knownVersion: 0, cancellationToken).ConfigureAwait(false);
        var pieces = Pieces(sst);
        var reads = new Queue<Task<ReadOnlyMemory<byte>>>();
        var started = 0;
        ulong? max = null;
        try
        {
            foreach (var (first, next) in pieces)
            {
                while (started < pieces.Count && reads.Count < PiecesInFlight)
                {
                    var (from, to) = pieces[started++];
                    reads.Enqueue(SstFile.ReadRangeAsync(store, path, Span(sst, from, to), cancellationToken).AsTask());
                }

                var piece = await reads.Dequeue().ConfigureAwait(false);
                var start = sst.BlockRange(first).Offset;
                for (var i = first; i < next; i++)
                {
                    var block = sst.BlockRange(i);
                    var iterator = sst.DecodeBlock(piece.Slice((int)(block.Offset - start), (int)block.Length)).CreateIterator();
                    for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
                    {
                        var seq = iterator.Current.Seq;
                        max = max is { } m && m >= seq ? m : seq;
                    }
                }
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

    /// <summary>Runs of consecutive blocks [first, next) of at most <see cref="PieceBytes"/> (a larger block alone).</summary>
    private static List<(int First, int Next)> Pieces(SstFile sst)
    {
        var pieces = new List<(int, int)>();
        var next = 0;
        while (next < sst.BlockCount)
        {
            var first = next++;
            var start = sst.BlockRange(first).Offset;
            while (next < sst.BlockCount && End(sst.BlockRange(next)) - start <= PieceBytes)
            {
                next++;
            }

            pieces.Add((first, next));
        }

        return pieces;
    }

    private static ByteRange Span(SstFile sst, int first, int next) => ByteRange.FromBounds(sst.BlockRange(first).Offset, End(sst.BlockRange(next - 1)));

    private static long End(ByteRange range) => range.Offset + range.Length;
}
