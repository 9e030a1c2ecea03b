using SlateDB.Common;
using SlateDB.Compaction;
using SlateDB.Manifest;

namespace SlateDB;

/// <summary>The compactor's state file (<c>.compactions</c>): reading its versions and submitting compactions.</summary>
public sealed partial class SlateDbAdmin
{
    /// <summary>
    /// The newest version of the compactor's state file, or version <paramref name="id"/> (SlateDB's
    /// <c>read_compactions</c>); null when there is no such version (no compactor ever ran, or it was collected).
    /// </summary>
    /// <exception cref="SlateDbException">Data: the version's bytes are damaged.</exception>
    public async Task<CompactionsInfo?> ReadCompactionsAsync(ulong? id = null, CancellationToken cancellationToken = default)
    {
        var file = CompactionsFile();
        if (id is { } wanted)
        {
            var read = await file.ReadVersionAsync(wanted, cancellationToken).ConfigureAwait(false);
            return read is { } found ? CompactionsInfo.From(wanted, found.State, found.Format) : null;
        }

        var latest = await file.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        return latest is { } newest ? CompactionsInfo.From(newest.Id, newest.State, file.LastReadFormat) : null;
    }

    /// <summary>
    /// Compaction <paramref name="compactionId"/> as the newest state file (or version <paramref name="compactionsId"/>)
    /// records it (SlateDB's <c>read_compaction</c>); null when that version or that compaction is not there (finished
    /// compactions are kept only until a newer one finishes).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="compactionId"/> is not a ULID.</exception>
    public async Task<CompactionInfo?> ReadCompactionAsync(string compactionId, ulong? compactionsId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compactionId);
        if (!Ulid.TryParse(compactionId, out var wanted))
        {
            throw new ArgumentException($"'{compactionId}' is not a compaction id (a ULID).", nameof(compactionId));
        }

        var state = await ReadCompactionsAsync(compactionsId, cancellationToken).ConfigureAwait(false);
        return state?.Compactions.FirstOrDefault(compaction => compaction.Id == wanted.ToString());
    }

    /// <summary>
    /// The versions of the state file with ids from <paramref name="start"/> (inclusive) to <paramref name="end"/>
    /// (exclusive), ascending, each read (SlateDB's <c>list_compactions</c>). Versions collected between the listing
    /// and the read are left out.
    /// </summary>
    /// <exception cref="SlateDbException">Data: a version's bytes are damaged.</exception>
    public async Task<IReadOnlyList<CompactionsInfo>> ListCompactionsAsync(ulong? start = null, ulong? end = null, CancellationToken cancellationToken = default)
    {
        var file = CompactionsFile();
        var ids = await file.ListIdsAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<CompactionsInfo>();
        foreach (var id in ids.Where(id => id >= (start ?? 0) && (end is null || id < end)))
        {
            if (await file.ReadVersionAsync(id, cancellationToken).ConfigureAwait(false) is { } read)
            {
                result.Add(CompactionsInfo.From(id, read.State, read.Format));
            }
        }

        return result;
    }

    /// <summary>
    /// Submits a compaction to the running compactor (SlateDB's <c>submit_compaction</c>): plans
    /// <paramref name="request"/> on the newest manifest (a full request takes every sorted run, and L0 when it says
    /// so; an explicit plan is checked against the tree's rules) and records it as submitted in the state file, in the
    /// format the file already has. The compactor (embedded in the writer, or standalone) picks it up at its next poll,
    /// checks it again and runs it (on a compaction worker when it hands jobs to workers). Never fences anyone.
    /// </summary>
    /// <returns>The compaction recorded, or null when there is nothing to compact.</returns>
    /// <exception cref="SlateDbException">
    /// Invalid: no database at the path, no compactor ever ran on it (no state file), or the plan breaks the tree's
    /// rules. Unavailable: other writers kept winning the state file's compare-and-swap.
    /// </exception>
    public async Task<CompactionInfo?> SubmitCompactionAsync(CompactionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var file = CompactionsFile();
        file.FollowReadFormat = true;
        if (!await file.AttachAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"No compactor has run on '{Path}' yet (no compactor state file): start one before submitting compactions.");
        }

        var (_, manifest) = await LatestAsync(cancellationToken).ConfigureAwait(false);
        var tree = manifest.Core.Tree;
        var plan = request.Plan ?? CompactorRuntime.FullPlan(tree, request.IncludesL0, []);
        if (plan is null)
        {
            return null;
        }

        if (CompactionRules.Check(tree, plan, []) is { } problem)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"The compaction {plan} cannot run: {problem}.");
        }

        var record = new CompactionRecord(_ids.NewUlid(), CompactionRules.ToSpec(plan), CompactionStatus.Submitted, [], null, null);
        await file.TryUpdateAsync(records => [.. records, record], cancellationToken).ConfigureAwait(false);
        return CompactionInfo.From(record, file.LastReadFormat);
    }

    private CompactionsFile CompactionsFile() => new(_store, new DbPaths(Path), _time, UpdateTimeout);
}
