namespace SlateDB.Manifest;

/// <summary>
/// What every manifest SlateDB writes satisfies, checked once per manifest read. A manifest has no checksum, so
/// damage that still parses is found only here, by the fields contradicting each other. Each rule holds for every
/// manifest SlateDB (and this port) writes:
/// <list type="bullet">
/// <item>WAL ids: <c>replay_after_wal_id</c> &lt; the next WAL id (<c>wal_id_last_seen</c> + 1): the writer only marks
/// WAL objects it wrote as flushed.</item>
/// <item>View ids are unique in a tree (in version 1 a view id is its SST's id, so an SST is listed once), and
/// sorted-run ids are unique.</item>
/// <item>An SST's first entry is at or below its last entry; the SSTs of a sorted run are in key order and do not
/// overlap (neighbours may share a boundary key).</item>
/// <item>Only a clone being created is uninitialized, and a clone names the database it was cloned from.</item>
/// <item>An external database's path is a valid object path (its SSTs are read under it).</item>
/// <item>A checkpoint pins a manifest version that existed when it was taken: at or below this version's id.</item>
/// </list>
/// </summary>
internal static class ManifestInvariants
{
    /// <summary>Checks manifest version <paramref name="id"/> read from <paramref name="objectName"/>.</summary>
    /// <exception cref="SlateDbException">Data: a rule does not hold.</exception>
    public static void Check(DbManifest manifest, ulong id, string objectName)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (Violation(manifest, id) is { } violation)
        {
            throw SlateDbException.Corrupt(objectName, $"the manifest contradicts itself: {violation}.");
        }
    }

    /// <summary>The first rule <paramref name="manifest"/> (version <paramref name="id"/>) breaks, or null.</summary>
    public static string? Violation(DbManifest manifest, ulong id)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var core = manifest.Core;
        if (!core.Initialized && manifest.ExternalDbs.Count == 0)
        {
            return "it is marked uninitialized (a clone being created) but names no database it was cloned from";
        }

        foreach (var external in manifest.ExternalDbs)
        {
            if (!IsValidRoot(external.Path))
            {
                return $"external database path '{external.Path}' is not a valid object path";
            }
        }

        if (core.ReplayAfterWalId >= core.NextWalSstId)
        {
            return $"replay_after_wal_id {core.ReplayAfterWalId} is not below the next WAL id {core.NextWalSstId}";
        }

        foreach (var checkpoint in core.Checkpoints)
        {
            if (checkpoint.ManifestId > id)
            {
                return $"checkpoint {checkpoint.Id} pins manifest {checkpoint.ManifestId}, newer than this version {id}";
            }
        }

        foreach (var tree in core.Trees)
        {
            if (TreeViolation(tree) is { } violation)
            {
                return violation;
            }
        }

        return null;
    }

    private static bool IsValidRoot(string path)
    {
        var trimmed = path.Trim('/');
        if (trimmed.Length == 0)
        {
            return true;
        }

        try
        {
            Storage.ObjectPath.Validate(trimmed);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string? TreeViolation(LsmTreeState tree)
    {
        var viewIds = new HashSet<Common.Ulid>();
        foreach (var view in tree.AllViews)
        {
            if (!viewIds.Add(view.Id))
            {
                return $"SST view {view.Id} is listed twice";
            }

            var info = view.Sst.Info;
            if (info.FirstEntry is { } first && info.LastEntry is { } last && first.Span.SequenceCompareTo(last.Span) > 0)
            {
                return $"SST {view.Sst.Id} has its first entry above its last";
            }
        }

        var runIds = new HashSet<uint>();
        foreach (var run in tree.Compacted)
        {
            if (!runIds.Add(run.Id))
            {
                return $"sorted run {run.Id} is listed twice";
            }

            for (var i = 1; i < run.Views.Count; i++)
            {
                if (RunOrderViolation(run.Views[i - 1], run.Views[i]) is { } violation)
                {
                    return $"sorted run {run.Id}: {violation}";
                }
            }
        }

        return null;
    }

    /// <summary>Two neighbouring SSTs of a sorted run out of key order, or overlapping (views restricted by a range are
    /// compared by their ranges' starts only).</summary>
    private static string? RunOrderViolation(SsTableView previous, SsTableView next)
    {
        var previousStart = Start(previous);
        var nextStart = Start(next);
        if (previousStart.Span.SequenceCompareTo(nextStart.Span) > 0)
        {
            return $"SST {next.Sst.Id} starts before SST {previous.Sst.Id}";
        }

        if (previous.VisibleRange is null && next.VisibleRange is null
            && previous.Sst.Info.LastEntry is { } previousLast && previousLast.Span.SequenceCompareTo(nextStart.Span) > 0)
        {
            return $"SST {previous.Sst.Id} overlaps SST {next.Sst.Id}";
        }

        return null;
    }

    private static ReadOnlyMemory<byte> Start(SsTableView view)
    {
        var first = view.Sst.Info.FirstEntry ?? ReadOnlyMemory<byte>.Empty;
        return view.VisibleRange?.Start is { Kind: BoundKind.Included } start && start.Key.Span.SequenceCompareTo(first.Span) > 0 ? start.Key : first;
    }
}
