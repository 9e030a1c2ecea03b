using SlateDB.Checkpoints;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>
    /// Creates a checkpoint: an entry in the manifest that pins one manifest version, its SSTs and its WAL range
    /// against garbage collection until it expires or is deleted (<see cref="SlateDbAdmin.DeleteCheckpointAsync"/>).
    /// Open a <see cref="DbReader"/> on it (<see cref="DbReaderMode.Checkpoint"/>) to read exactly that state.
    /// </summary>
    /// <param name="scope"><see cref="CheckpointScope.All"/> first flushes the memtable to L0, so every write committed
    /// before the call is in it; <see cref="CheckpointScope.Durable"/> takes what is durable already.</param>
    /// <param name="options">Lifetime, source checkpoint and name; null: no expiry, no name.</param>
    /// <param name="cancellationToken">Cancels the wait (a checkpoint already written stays).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scope"/> is unknown or the lifetime is not positive.</exception>
    /// <exception cref="SlateDbException">Invalid: the source checkpoint does not exist. Closed: the database is closed or fenced.</exception>
    public async ValueTask<CheckpointCreateResult> CreateCheckpointAsync(CheckpointScope scope, CheckpointOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(scope))
        {
            throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown checkpoint scope.");
        }

        options ??= new CheckpointOptions();
        options.Validate();
        ThrowIfClosed();
        if (scope == CheckpointScope.All)
        {
            await FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }, cancellationToken).ConfigureAwait(false);
        }

        var id = _c.Ids.NewUuid();

        // The pinned version must name every WAL object written so far: a reader at the checkpoint replays up to it,
        // and the collector keeps that range.
        var walSeen = _c.Options.WalEnabled ? _wal.LastFlushedWalId + 1 : 0;
        ulong pinned = 0;
        await _manifest.UpdateWithIdAsync(
            (manifestId, current) =>
            {
                var next = CheckpointEdits.Add(manifestId, current, id, options, _c.TimeProvider.GetUtcNow());
                if (ReferenceEquals(next, current))
                {
                    return current;
                }

                pinned = CheckpointEdits.Find(next.Core, id)!.ManifestId;
                return walSeen > next.Core.NextWalSstId ? next with { Core = next.Core with { NextWalSstId = walSeen } } : next;
            },
            cancellationToken).ConfigureAwait(false);
        SwapState(s => s with { Core = _manifest.Current.Core });
        SignalProgress();
        return new CheckpointCreateResult(id, pinned);
    }
}
