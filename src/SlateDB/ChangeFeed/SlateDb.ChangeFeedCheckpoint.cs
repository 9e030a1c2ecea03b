using SlateDB.Checkpoints;
using SlateDB.Feed;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>
    /// Holds a checkpoint for change-feed consumer <paramref name="consumer"/> so that the garbage collector keeps every
    /// WAL file from <paramref name="fromWalId"/> on: a consumer that falls behind then resumes without a gap. Call it
    /// again as the consumer acknowledges changes, with the <see cref="ChangeEvent.WalId"/> of the first change it
    /// still needs: the consumer's previous checkpoint is replaced (one manifest write), so the WAL before it is
    /// collected again. The checkpoint is named <c>changefeed:&lt;consumer&gt;@&lt;WAL id&gt;</c>; delete it with
    /// <see cref="SlateDbAdmin.DeleteCheckpointAsync"/> when the consumer goes away, or give it a lifetime and keep
    /// refreshing it. SlateDB's own collector does not know this rule (it keeps only the checkpoint's manifest).
    /// </summary>
    /// <param name="consumer">The consumer's name (not empty).</param>
    /// <param name="fromWalId">The first WAL id the consumer still needs.</param>
    /// <param name="lifetime">How long the checkpoint lives unless held again; null: until deleted.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentException"><paramref name="consumer"/> is empty, or the lifetime is not positive.</exception>
    /// <exception cref="SlateDbException">Closed: the database is closed or fenced.</exception>
    public async ValueTask<CheckpointCreateResult> HoldChangeFeedCheckpointAsync(string consumer, ulong fromWalId, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumer);
        var options = new CheckpointOptions { Lifetime = lifetime, Name = ChangeFeedCheckpoints.Name(consumer, fromWalId) };
        options.Validate();
        ThrowIfClosed();
        var id = _c.Ids.NewUuid();
        ulong pinned = 0;
        await _manifest.UpdateWithIdAsync(
            (manifestId, current) =>
            {
                var without = current;
                foreach (var old in current.Core.Checkpoints)
                {
                    if (old.Id != id && ChangeFeedCheckpoints.TryParse(old.Name, out var holder, out _) && holder == consumer)
                    {
                        without = CheckpointEdits.Remove(without, old.Id);
                    }
                }

                var next = CheckpointEdits.Add(manifestId, without, id, options, _c.TimeProvider.GetUtcNow());
                pinned = CheckpointEdits.Find(next.Core, id)!.ManifestId;
                return next;
            },
            cancellationToken).ConfigureAwait(false);
        SwapState(s => s with { Core = _manifest.Current.Core });
        SignalProgress();
        return new CheckpointCreateResult(id, pinned);
    }
}
