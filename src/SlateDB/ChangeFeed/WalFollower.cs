using System.Runtime.CompilerServices;
using SlateDB.Format;
using SlateDB.Wal;

namespace SlateDB.Feed;

/// <summary>
/// Reads WAL files in id order and turns their rows into change events, checking that sequences are dense: WAL ids
/// are dense (each write takes the next id; a new writer's fence takes the next free one), sequences grow from one
/// file to the next, and each write takes the next sequence, so a sequence above the last one plus one is rows lost
/// (collected, or written with the WAL off), reported as a Data error naming the first missing sequence.
/// </summary>
internal sealed class WalFollower(IWalReader wal, ChangeFeedOptions options, Func<CancellationToken, Task> waitForMore)
{
    public async IAsyncEnumerable<ChangeEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (walId, floor) = await FindStartAsync(cancellationToken).ConfigureAwait(false);

        // The last sequence delivered (null until the first row when starting at the oldest retained).
        long? last = floor is { } f ? f - 1 : null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = await wal.ReadAsync(walId, cancellationToken).ConfigureAwait(false);
            if (rows is null)
            {
                // Not written yet, or collected: a later id present means it is gone (ids are dense).
                var listed = await wal.ListAsync(cancellationToken).ConfigureAwait(false);
                if (listed.Count > 0 && listed[^1].Id > walId)
                {
                    // It may have been written (with later ones) between the read and the listing: read it again.
                    // Missing now, with a later id listed, it existed and was deleted.
                    if (await wal.ReadAsync(walId, cancellationToken).ConfigureAwait(false) is not null)
                    {
                        continue;
                    }

                    throw Gap(last is { } l ? l + 1 : floor ?? 1, $"WAL file {walId} ({wal.LocationOf(walId)}) was deleted before the feed read it");
                }

                await waitForMore(cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var row in InSequenceOrder(rows))
            {
                var seq = (long)row.Seq;
                if (floor is { } min && seq < min)
                {
                    continue;
                }

                if (last is { } l && seq != l)
                {
                    if (seq > l + 1)
                    {
                        throw Gap(l + 1, $"WAL file {walId} continues at sequence {seq}");
                    }

                    if (seq < l)
                    {
                        throw new SlateDbException(SlateDbErrorKind.Data, $"WAL file {walId} ({wal.LocationOf(walId)}) holds sequence {seq} after sequence {l}: the WAL is damaged.");
                    }
                }

                last = seq;
                yield return new ChangeEvent(seq, WalRow.From(row).Kind, row.Key, row.Kind == RowKind.Tombstone ? (ReadOnlyMemory<byte>?)null : row.Value, row.CreateTs, row.ExpireTs, walId);
            }

            walId++;
        }
    }

    /// <summary>
    /// The WAL id to start reading at, and the first sequence wanted (null: the oldest retained). For a given
    /// sequence, the newest file whose first row is at or below it (a file's rows all come after the previous file's);
    /// when none is, the oldest file, and the first row read then shows whether the sequence is gone.
    /// </summary>
    private async Task<(ulong WalId, long? Floor)> FindStartAsync(CancellationToken cancellationToken)
    {
        long? floor = options.FromSequence is { } from ? Math.Max(1, from) : null;
        while (true)
        {
            var listed = await wal.ListAsync(cancellationToken).ConfigureAwait(false);
            if (listed.Count == 0)
            {
                await waitForMore(cancellationToken).ConfigureAwait(false);
                continue;
            }

            // Only the newest run of consecutive ids can be followed: below a hole, files were collected (the
            // collector keeps some fences of earlier writers, so older files may still be listed).
            var runStart = listed.Count - 1;
            while (runStart > 0 && listed[runStart - 1].Id == listed[runStart].Id - 1)
            {
                runStart--;
            }

            if (floor is not { } wanted)
            {
                return (listed[runStart].Id, null);
            }

            for (var i = listed.Count - 1; i >= runStart; i--)
            {
                var rows = await wal.ReadAsync(listed[i].Id, cancellationToken).ConfigureAwait(false);
                if (rows is { Count: > 0 } && rows.Min(static r => r.Seq) <= (ulong)wanted)
                {
                    return (listed[i].Id, wanted);
                }
            }

            return (listed[runStart].Id, wanted);
        }
    }

    // This library writes rows in sequence order; SlateDB writes a WAL file in key order. A stable sort keeps a
    // batch's rows in the order they are stored.
    private static IEnumerable<RowEntry> InSequenceOrder(IReadOnlyList<RowEntry> rows)
    {
        for (var i = 1; i < rows.Count; i++)
        {
            if (rows[i].Seq < rows[i - 1].Seq)
            {
                return rows.OrderBy(static r => r.Seq);
            }
        }

        return rows;
    }

    private static SlateDbException Gap(long firstMissing, string why) => new(
        SlateDbErrorKind.Data,
        $"The change feed cannot continue: sequence {firstMissing} is no longer in the WAL ({why}). The garbage "
        + "collector deletes WAL files once their rows are in L0 and they are older than its WAL minimum age; resume "
        + "from a full read of the database, or keep consumers closer to the writer.");
}
