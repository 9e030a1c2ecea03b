using System.Globalization;

namespace SlateDB.Compaction;

/// <summary>One input of a compaction: an L0 SST view (by view id) or a sorted run (by id). Compares by value.</summary>
public readonly record struct CompactionInput
{
    private CompactionInput(uint sortedRunId, string? l0ViewId)
    {
        SortedRunId = sortedRunId;
        L0ViewId = l0ViewId;
    }

    /// <summary>True for a sorted run, false for an L0 view.</summary>
    public bool IsSortedRun => L0ViewId is null;

    /// <summary>The sorted run's id (0 for an L0 view).</summary>
    public uint SortedRunId { get; }

    /// <summary>The L0 view's id, a 26-character ULID (null for a sorted run).</summary>
    public string? L0ViewId { get; }

    /// <summary>A sorted-run input.</summary>
    public static CompactionInput SortedRun(uint id) => new(id, null);

    /// <summary>An L0 view input.</summary>
    /// <exception cref="ArgumentException"><paramref name="viewId"/> is not a ULID.</exception>
    public static CompactionInput L0View(string viewId)
    {
        ArgumentNullException.ThrowIfNull(viewId);
        if (!Common.Ulid.TryParse(viewId, out var parsed))
        {
            throw new ArgumentException($"'{viewId}' is not a ULID.", nameof(viewId));
        }

        return new CompactionInput(0, parsed.ToString());
    }

    /// <inheritdoc/>
    public override string ToString() =>
        IsSortedRun ? string.Create(CultureInfo.InvariantCulture, $"SR({SortedRunId})") : $"L0({L0ViewId})";
}

/// <summary>
/// A compaction to run (SlateDB's <c>CompactionSpec</c>): merge <see cref="Inputs"/> into the sorted run
/// <see cref="Destination"/>. Inputs list L0 views newest first, then sorted runs from the highest id down. Compares by
/// value.
/// </summary>
/// <param name="Inputs">The L0 views and sorted runs to merge.</param>
/// <param name="Destination">The id of the sorted run that replaces them.</param>
public sealed record CompactionPlan(IReadOnlyList<CompactionInput> Inputs, uint Destination)
{
    /// <summary>True when some input is an L0 view.</summary>
    public bool HasL0Inputs => Inputs.Any(input => !input.IsSortedRun);

    /// <summary>True when some input is a sorted run.</summary>
    public bool HasSortedRunInputs => Inputs.Any(input => input.IsSortedRun);

    /// <inheritdoc/>
    public bool Equals(CompactionPlan? other) =>
        other is not null && Destination == other.Destination && Inputs.SequenceEqual(other.Inputs);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Destination);
        foreach (var input in Inputs)
        {
            hash.Add(input);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"[{string.Join(", ", Inputs)}] -> SR({Destination})");
}
