using Microsoft.Extensions.Logging;
using SlateDB.Checkpoints;
using SlateDB.Composition;
using SlateDB.Db;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Wal;

namespace SlateDB.Readers;

/// <summary>
/// Builds and refreshes a reader's <see cref="ReaderView"/>: which manifest version it reads (the newest, its own
/// managed checkpoint's, or a given checkpoint's) and the WAL tail after that version's replay point, replayed into
/// tables. Never claims an epoch or writes a fence; in managed mode it writes only its own checkpoint entry.
/// Calls are serialised by the caller.
/// </summary>
internal sealed class ReaderRefresh(DbComponents c, DbReaderOptions options, MonotonicClock clock, ILogger logger)
{
    private static readonly TimeSpan CheckpointUpdateTimeout = TimeSpan.FromMinutes(5);

    private readonly Random _random = c.Random;

    /// <summary>The first view: the mode's manifest version and, unless skipped, its WAL.</summary>
    /// <exception cref="SlateDbException">Invalid: no database at the path, an uninitialized clone, or an unknown or expired checkpoint.</exception>
    public async Task<ReaderView> OpenAsync(CancellationToken cancellationToken)
    {
        var latest = await c.Manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"There is no database at '{c.Path}' (no manifest).");
        CheckReadable(latest.Manifest);
        var empty = new ReaderView(latest.Id, latest.Manifest.Core, [], latest.Manifest.Core.ReplayAfterWalId, latest.Manifest.Core.LastL0Seq, null);
        switch (options.Mode.Kind)
        {
            case DbReaderModeKind.Checkpoint:
                {
                    var id = options.Mode.CheckpointId!.Value;
                    var checkpoint = CheckpointEdits.FindLive(latest.Manifest.Core, id, c.TimeProvider.GetUtcNow());
                    var pinned = await c.Manifests.ReadAsync(checkpoint.ManifestId, cancellationToken).ConfigureAwait(false)
                        ?? throw new SlateDbException(SlateDbErrorKind.Data, $"Checkpoint {id} pins manifest {checkpoint.ManifestId}, which is missing.");
                    CheckReadable(pinned);
                    var view = Adopt(empty, checkpoint.ManifestId, pinned.Core, id);
                    return options.SkipWalReplay ? view : await ReplayAsync(view, pinned.Core.NextWalSstId, strict: true, cancellationToken).ConfigureAwait(false);
                }

            case DbReaderModeKind.ManagedCheckpoint:
                {
                    var (manifestId, manifest, checkpointId) = await MoveCheckpointAsync(latest.Id, latest.Manifest, old: null, cancellationToken).ConfigureAwait(false);
                    var view = Adopt(empty, manifestId, manifest.Core, checkpointId);
                    return await ReplayTailAsync(view, cancellationToken).ConfigureAwait(false);
                }

            default:
                return await ReplayTailAsync(Adopt(empty, latest.Id, latest.Manifest.Core, null), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One poll: the newest manifest (moving or refreshing a managed checkpoint), then the WAL written since.</summary>
    public async Task<ReaderView> RefreshAsync(ReaderView view, CancellationToken cancellationToken)
    {
        if (options.Mode.Kind == DbReaderModeKind.Checkpoint)
        {
            return view;
        }

        // By listing, not by probing forward from the version held: a checkpointed version outlives the versions
        // after it, which the collector may have removed.
        var latest = await c.Manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Data, $"The manifest of '{c.Path}' disappeared.");
        CheckReadable(latest.Manifest);
        var next = view;
        if (options.Mode.Kind == DbReaderModeKind.ManagedCheckpoint)
        {
            var core = latest.Manifest.Core;
            var now = c.TimeProvider.GetUtcNow();
            var ours = view.CheckpointId is { } id ? CheckpointEdits.Find(core, id) : null;
            var lapsed = ours is null || (ours.ExpireTime is { } expire && expire <= now);
            var moved = !core.Tree.Equals(view.Core.Tree) || core.LastL0Seq != view.Core.LastL0Seq;
            if (lapsed || moved)
            {
                var (manifestId, manifest, checkpointId) = await MoveCheckpointAsync(latest.Id, latest.Manifest, view.CheckpointId, cancellationToken).ConfigureAwait(false);
                if (lapsed)
                {
                    ReaderLog.CheckpointMoved(logger, view.CheckpointId, checkpointId, manifestId);
                }

                next = Adopt(view, manifestId, manifest.Core, checkpointId);
            }
            else if (ours!.ExpireTime is { } expires && now >= expires - (options.CheckpointLifetime / 2))
            {
                var (manifestId, manifest) = await UpdateAsync(
                    latest.Id, latest.Manifest, (_, m) => CheckpointEdits.Refresh(m, ours.Id, options.CheckpointLifetime, c.TimeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                next = Adopt(view, manifestId, manifest.Core, ours.Id);
            }
        }
        else if (latest.Id != view.ManifestId)
        {
            next = Adopt(view, latest.Id, latest.Manifest.Core, null);
        }

        return await ReplayTailAsync(next, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the reader's managed checkpoint (on close); its expiry would remove it anyway.</summary>
    public async Task ReleaseAsync(ReaderView view, CancellationToken cancellationToken)
    {
        if (options.Mode.Kind != DbReaderModeKind.ManagedCheckpoint || view.CheckpointId is not { } id)
        {
            return;
        }

        var latest = await c.Manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest is { } found)
        {
            await UpdateAsync(found.Id, found.Manifest, (_, m) => CheckpointEdits.Remove(m, id), cancellationToken).ConfigureAwait(false);
        }
    }

    private void CheckReadable(DbManifest manifest)
    {
        if (!manifest.Core.Initialized)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"The database at '{c.Path}' is a clone that was never initialized.");
        }

        UnsupportedFeatures.ThrowIfUsed(manifest, c.Path);
    }

    /// <summary>Replaces the reader's checkpoint (if any) by a new one on the newest version, in one manifest write.</summary>
    private async Task<(ulong Id, DbManifest Manifest, Guid CheckpointId)> MoveCheckpointAsync(ulong latestId, DbManifest latest, Guid? old, CancellationToken cancellationToken)
    {
        var replacement = c.Ids.NewUuid();
        var checkpointOptions = new CheckpointOptions { Lifetime = options.CheckpointLifetime };
        var (id, manifest) = await UpdateAsync(
            latestId,
            latest,
            (manifestId, m) => old is { } previous
                ? CheckpointEdits.Replace(manifestId, m, previous, replacement, checkpointOptions, c.TimeProvider.GetUtcNow())
                : CheckpointEdits.Add(manifestId, m, replacement, checkpointOptions, c.TimeProvider.GetUtcNow()),
            cancellationToken).ConfigureAwait(false);
        return (id, manifest, replacement);
    }

    private async Task<(ulong Id, DbManifest Manifest)> UpdateAsync(ulong latestId, DbManifest latest, Func<ulong, DbManifest, DbManifest> change, CancellationToken cancellationToken)
    {
        // A plain compare-and-swap, as the garbage collector's checkpoint expiry: no epoch is claimed or checked.
        var cas = new ManifestCas(c.Manifests, c.TimeProvider, CheckpointUpdateTimeout, "reader");
        cas.Hold(latestId, latest);
        await cas.UpdateAsync(change, check: null, reread: null, cancellationToken).ConfigureAwait(false);
        return (cas.Id, cas.Current);
    }

    /// <summary>
    /// Takes manifest version <paramref name="manifestId"/>: drops the replayed tables whose WAL objects are all in L0
    /// now, and never lets the visible sequence go back.
    /// </summary>
    private ReaderView Adopt(ReaderView view, ulong manifestId, ManifestCore core, Guid? checkpointId)
    {
        clock.Observe(core.LastL0ClockTick);
        var tables = view.Tables.RemoveAll(table => table.LastWalId <= core.ReplayAfterWalId);
        var lastWal = Math.Max(view.LastWalId, core.ReplayAfterWalId);
        if (tables.IsEmpty)
        {
            lastWal = core.ReplayAfterWalId;
        }

        return view with
        {
            ManifestId = manifestId,
            Core = core,
            Tables = tables,
            LastWalId = lastWal,
            VisibleSeq = Math.Max(tables.IsEmpty ? 0 : view.VisibleSeq, core.LastL0Seq),
            CheckpointId = checkpointId,
        };
    }

    /// <summary>Replays every WAL object written after the view's last one (none when replay is skipped).</summary>
    private async Task<ReaderView> ReplayTailAsync(ReaderView view, CancellationToken cancellationToken)
    {
        if (options.SkipWalReplay)
        {
            return view;
        }

        var listed = await c.Wal.ListAsync(cancellationToken).ConfigureAwait(false);
        var end = view.LastWalId + 1;
        foreach (var wal in listed)
        {
            if (wal.Id == end)
            {
                end++;
            }
            else if (wal.Id > end)
            {
                break;
            }
        }

        return await ReplayAsync(view, end, strict: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replays WAL ids after the view's last one and before <paramref name="end"/>. <paramref name="strict"/>: every
    /// one must exist (a checkpoint's range is kept by the collector); otherwise a missing one ends the replay until
    /// the next poll, which rereads the manifest first.
    /// </summary>
    private async Task<ReaderView> ReplayAsync(ReaderView view, ulong end, bool strict, CancellationToken cancellationToken)
    {
        var tables = view.Tables;
        var lastWal = view.LastWalId;
        var visible = view.VisibleSeq;
        var floor = view.Core.LastL0Seq;
        for (var walId = view.LastWalId + 1; walId < end; walId++)
        {
            IReadOnlyList<Format.RowEntry>? rows = await c.Wal.ReadAsync(walId, cancellationToken).ConfigureAwait(false);
            if (rows is null)
            {
                if (strict)
                {
                    await WalReplayRange.ReadAsync(c.Wal, walId, view.Core.ReplayAfterWalId, cancellationToken).ConfigureAwait(false);
                }

                ReaderLog.WalGap(logger, walId);
                break;
            }

            var target = tables.IsEmpty ? null : tables[0];
            if (target is null || target.Table.EstimatedSize >= options.MaxMemtableBytes)
            {
                target?.Table.Freeze();
                target = new ReplayedTable(new KvTable((ulong)_random.NextInt64(), keyFilterBytes: MemtableKeyFilter.BytesFor(options.MaxMemtableBytes)), walId);
                tables = tables.Insert(0, target);
            }

            foreach (var row in rows)
            {
                if (row.Seq <= floor || row.Seq <= visible)
                {
                    continue;
                }

                target.Table.Put(row);
                visible = row.Seq;
                if (row.CreateTs is { } created)
                {
                    clock.Observe(created);
                }
            }

            tables = tables.SetItem(0, target with { LastWalId = walId });
            lastWal = walId;
        }

        return view with { Tables = tables, LastWalId = lastWal, VisibleSeq = visible };
    }
}
