using System.Collections.Immutable;
using SlateDB.Composition;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Wal;

namespace SlateDB.Db;

/// <summary>
/// Opening a database as its writer (SlateDB's fencing and recovery protocol): load or create the manifest, claim the
/// next writer epoch, fence the WAL by creating the object after the last one, then replay the WAL objects written
/// after the last L0 flush into memtables.
/// </summary>
internal static class Recovery
{
    /// <summary>How often a WAL listing that contradicts the manifest read before it is retried with a newer manifest.</summary>
    private const int StaleManifestRetries = 8;

    /// <summary>
    /// Lists the WAL and checks it against the manifest read at open, returning the listing and the fence slot. A
    /// writer slow to get here may hold a manifest that a newer writer and the collector have since moved past (WAL
    /// objects it expects are deleted): then the listing looks damaged only because the manifest is stale. Such a
    /// contradiction is checked against the newest manifest first, and is damage only when that manifest is the one
    /// read.
    /// </summary>
    private static async Task<(IReadOnlyList<WalObjectInfo> Listed, ulong FenceId)> ListWalForFenceAsync(DbComponents c, WriterManifest manifest, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var listed = await c.Wal.ListAsync(cancellationToken).ConfigureAwait(false);
            var before = manifest.Current.Core;
            try
            {
                await ManifestWalCheck.CheckAsync(
                    before, listed, c.Wal.MaxSeqAsync, c.Manifests.Versions.PathOf(manifest.Id), cancellationToken).ConfigureAwait(false);
                return (listed, WalReplayRange.LastUsedId(listed, before.ReplayAfterWalId, before.NextWalSstId) + 1);
            }
            catch (SlateDbException damaged) when (damaged.Kind == SlateDbErrorKind.Data && attempt < StaleManifestRetries)
            {
                // By listing: the versions right after the one held may be collected (a slow opener's listing of the
                // manifests can be older than the collector's work), so probing forward would find nothing newer.
                var readId = manifest.Id;
                await manifest.RefreshAsync(listing: true, cancellationToken).ConfigureAwait(false);
                if (manifest.Id == readId)
                {
                    throw;
                }
            }
        }
    }

    public static async Task<(WriterManifest Manifest, RecoveredState State)> OpenAsync(DbComponents c, Random random, CancellationToken cancellationToken)
    {
        var logger = c.LoggerFactory.CreateLogger("SlateDB");
        // A local WAL's directory lock comes first: only its holder may list, fence and replay it.
        await c.Wal.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var latest = await c.Manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest is null)
        {
            var initial = DbManifest.Initial(new ManifestCore { WalObjectStoreUri = c.Wal.ManifestUri });
            if (await c.Manifests.TryWriteAsync(1, initial, cancellationToken).ConfigureAwait(false))
            {
                Log.Created(logger, c.Path);
                latest = (1, initial);
            }
            else
            {
                latest = await c.Manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new SlateDbException(SlateDbErrorKind.Data, "The first manifest exists but cannot be read.");
            }
        }

        var manifest = new WriterManifest(c.Manifests, latest.Value.Id, latest.Value.Manifest, c.TimeProvider, c.Options.ManifestUpdateTimeout);
        if (!manifest.Current.Core.Initialized)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"The database at '{c.Path}' is a clone that was never initialized.");
        }

        UnsupportedFeatures.ThrowIfUsed(manifest.Current, c.Path, walStoreConfigured: true);
        WalStoreCheck.ThrowIfMismatched(manifest.Current.Core.WalObjectStoreUri, c.Wal.ManifestUri, c.Path);
        c.Tables.StartMetadataPreload(manifest.Current.Core.Tree.AllViews.Select(view => view.Sst)); // Runs beside the WAL work below.

        // Work from one listing of the WAL, not from probing ids: a damaged manifest must not send open probing
        // towards 2^64, and a missing WAL object after the replay point is lost data, not something to skip. As in
        // SlateDB, the fence slot comes from a listing taken BEFORE the epoch claim: every id up to it is taken by
        // then, so a slow writer that claimed an older epoch can only place its fence after ours by failing at a taken
        // slot first, and that failure makes it refresh the manifest and see our newer epoch.
        var (listed, fenceId) = await ListWalForFenceAsync(c, manifest, cancellationToken).ConfigureAwait(false);

        // Claim the epoch before fencing the WAL: an older writer then fails at its next WAL write (the fence takes its
        // next slot) or its next manifest update (it sees our epoch).
        await manifest.ClaimWriterEpochAsync(cancellationToken).ConfigureAwait(false);
        var core = manifest.Current.Core;
        if (fenceId <= core.ReplayAfterWalId)
        {
            // An older writer flushed to L0 between the listing and the claim: the slot is below the new replay point.
            listed = await c.Wal.ListAsync(cancellationToken).ConfigureAwait(false);
            fenceId = WalReplayRange.LastUsedId(listed, core.ReplayAfterWalId, core.NextWalSstId) + 1;
        }

        while (!await c.Wal.TryWriteFenceAsync(fenceId, cancellationToken).ConfigureAwait(false))
        {
            // Another writer wrote there after the listing: it is replayed too.
            Log.FenceSlotTaken(logger, fenceId);
            await manifest.RefreshAsync(cancellationToken).ConfigureAwait(false);
            fenceId++;
        }

        core = manifest.Current.Core;
        var frozen = ImmutableList<FrozenMemtable>.Empty;
        KvTable? table = null;
        var lastSeq = core.LastL0Seq;
        var lastTick = core.LastL0ClockTick;
        var walCount = 0;
        long rowCount = 0;
        for (var walId = core.ReplayAfterWalId + 1; walId < fenceId; walId++)
        {
            IReadOnlyList<RowEntry> rows;
            try
            {
                rows = await WalReplayRange.ReadAsync(c.Wal, walId, core.ReplayAfterWalId, cancellationToken).ConfigureAwait(false);
            }
            catch (SlateDbException missing) when (missing.Kind == SlateDbErrorKind.Data)
            {
                // A newer writer may have opened while this one replayed, moved the replay point and had the WAL
                // object collected: then this opener is fenced (RefreshAsync throws Closed/Fenced), not facing damage.
                try
                {
                    await manifest.RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (SlateDbException fenced) when (fenced.Kind == SlateDbErrorKind.Closed)
                {
                    throw SlateDbException.Closed(fenced.CloseReason, $"{fenced.Message} (while this writer replayed the WAL, which then missed object {walId})", missing);
                }

                throw;
            }

            walCount++;
            foreach (var row in rows)
            {
                if (row.Seq <= core.LastL0Seq)
                {
                    continue;
                }

                table ??= new KvTable((ulong)random.NextInt64(), c.Merge, MemtableKeyFilter.BytesFor(c.Options.L0SstSizeBytes));
                table.Put(row);
                rowCount++;
                lastSeq = Math.Max(lastSeq, row.Seq);
                if (row.CreateTs is { } created)
                {
                    lastTick = Math.Max(lastTick, created);
                }
            }

            // Cut memtables only between WAL objects, so each frozen one holds whole objects.
            if (table is not null && table.EstimatedSize >= c.Options.L0SstSizeBytes)
            {
                table.Freeze();
                frozen = frozen.Insert(0, new FrozenMemtable(table, walId));
                table = null;
            }
        }

        if (table is not null)
        {
            table.Freeze();
            frozen = frozen.Insert(0, new FrozenMemtable(table, fenceId));
        }

        Log.Opened(logger, c.Path, manifest.Epoch, walCount, rowCount, lastSeq);
        return (manifest, new RecoveredState(frozen, lastSeq, lastTick, fenceId + 1));
    }
}
