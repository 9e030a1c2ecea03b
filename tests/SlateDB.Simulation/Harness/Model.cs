namespace SlateDB.Simulation.Harness;

/// <summary>One change of a write: a put (<see cref="Value"/>), a delete (null value) or a merge operand (<see cref="Merge"/>).</summary>
internal readonly record struct ModelChange(string Key, string? Value, bool Merge = false)
{
    /// <summary>The separator of the writers' merge operator (<see cref="MergeOperators.Append(string)"/>).</summary>
    public const string MergeSeparator = "+";

    public override string ToString() => Merge ? $"{Key}+={Value}" : $"{Key}={Value ?? "<deleted>"}";
}

/// <summary>One write the harness issued: a put, a delete, a merge or a batch of them.</summary>
internal sealed class ModelWrite(long id, int process, IReadOnlyList<ModelChange> changes)
{
    public long Id { get; } = id;

    /// <summary>The simulated process (writer incarnation) that issued it.</summary>
    public int Process { get; } = process;

    public IReadOnlyList<ModelChange> Changes { get; } = changes;

    /// <summary>Whether it is (still) part of the database's history: false once a recovery showed it never landed, or from the start when a fenced writer issued it.</summary>
    public bool InHistory { get; set; }

    /// <summary>Whether the engine said it is durable.</summary>
    public bool Acknowledged { get; set; }

    public override string ToString() => $"write #{Id} by process {Process} ({string.Join(", ", Changes)})";
}

/// <summary>
/// What the database must hold: the history of writes in the order the leader applied them. A recovery must show a
/// prefix of that history that includes every acknowledged write; the writes after that prefix never happened.
/// </summary>
internal sealed class Model
{
    private readonly List<ModelWrite> _history = [];
    private readonly SortedDictionary<string, string> _state = new(StringComparer.Ordinal);
    private long _nextId;

    public IReadOnlyDictionary<string, string> State => _state;

    public long Writes => _nextId;

    public ModelWrite Issue(int process, IReadOnlyList<ModelChange> changes, bool inHistory)
    {
        var write = new ModelWrite(++_nextId, process, changes) { InHistory = inHistory };
        if (inHistory)
        {
            _history.Add(write);
            Apply(_state, write);
        }

        return write;
    }

    public SortedDictionary<string, string> Snapshot() => new(_state, StringComparer.Ordinal);

    /// <summary>
    /// Matches a recovered database (all its rows) against the prefixes of the history that hold every acknowledged
    /// write; on a match, drops the writes after the prefix and returns null; otherwise returns why none matches.
    /// </summary>
    public string? Recover(IReadOnlyDictionary<string, string> recovered)
    {
        var lastAcked = _history.FindLastIndex(w => w.Acknowledged);
        var state = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i <= lastAcked; i++)
        {
            Apply(state, _history[i]);
        }

        // The longest matching prefix: writes that change nothing (a delete of an absent key, a put undone by a later
        // delete) cannot be told apart, and taking them as landed never accuses a correct engine.
        var match = -1;
        SortedDictionary<string, string>? matched = null;
        for (var length = lastAcked + 1; ; length++)
        {
            if (Same(state, recovered))
            {
                match = length;
                matched = new SortedDictionary<string, string>(state, StringComparer.Ordinal);
            }

            if (length == _history.Count)
            {
                break;
            }

            Apply(state, _history[length]);
        }

        if (matched is not null)
        {
            foreach (var dropped in _history.Skip(match))
            {
                dropped.InHistory = false;
            }

            _history.RemoveRange(match, _history.Count - match);
            _state.Clear();
            foreach (var (key, value) in matched)
            {
                _state[key] = value;
            }

            return null;
        }

        // No prefix matches: describe the closest one.
        var best = (Length: -1, Differences: int.MaxValue, Text: string.Empty);
        state = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var length = 0; length <= _history.Count; length++)
        {
            if (length > lastAcked)
            {
                var differences = Differences(state, recovered);
                if (differences.Count < best.Differences)
                {
                    best = (length, differences.Count, string.Join("; ", differences.Take(6)));
                }
            }

            if (length < _history.Count)
            {
                Apply(state, _history[length]);
            }
        }

        return $"the recovered database ({recovered.Count} keys) is no prefix of the history that holds every acknowledged write "
            + $"(history {_history.Count} writes, the last acknowledged is write {_history[Math.Max(0, lastAcked)].Id} at position {lastAcked + 1}); "
            + $"the closest prefix, {best.Length} writes (up to write {(best.Length > 0 ? _history[best.Length - 1].Id : 0)}), differs in {best.Differences} keys: {best.Text}";
    }

    private static List<string> Differences(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual) =>
        [.. expected.Keys.Concat(actual.Keys).Distinct().Order(StringComparer.Ordinal)
            .Where(key => expected.GetValueOrDefault(key) != actual.GetValueOrDefault(key))
            .Select(key => $"{key}: expected {Short(expected.GetValueOrDefault(key))}, found {Short(actual.GetValueOrDefault(key))}")];

    /// <summary>A value by the ids in it (a put's, then each merge operand's): v12+m15.</summary>
    private static string Short(string? value) => value is null ? "<absent>" : value.Length > 12
        ? string.Join(ModelChange.MergeSeparator, value.Split(ModelChange.MergeSeparator).Select(part => part.Split('-')[0])) + "…"
        : value;

    public static string? FirstDifference(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual)
    {
        foreach (var key in expected.Keys.Concat(actual.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            var want = expected.GetValueOrDefault(key);
            var got = actual.GetValueOrDefault(key);
            if (want != got)
            {
                return $"key {key}: expected {want ?? "<absent>"}, found {got ?? "<absent>"}";
            }
        }

        return null;
    }

    private static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) => FirstDifference(a, b) is null;

    private static void Apply(SortedDictionary<string, string> state, ModelWrite write)
    {
        foreach (var (key, value, merge) in write.Changes)
        {
            if (merge)
            {
                state[key] = state.TryGetValue(key, out var existing) ? existing + ModelChange.MergeSeparator + value : value!;
            }
            else if (value is null)
            {
                state.Remove(key);
            }
            else
            {
                state[key] = value;
            }
        }
    }
}
