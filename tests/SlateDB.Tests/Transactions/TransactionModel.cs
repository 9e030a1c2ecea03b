using FluentAssertions;

namespace SlateDB.Tests.Transactions;

/// <summary>One observed or performed step of a transaction, in the order it happened.</summary>
internal abstract record ModelStep
{
    public sealed record Read(string Key, string? Seen) : ModelStep;

    public sealed record Scan(string Low, string High, List<(string Key, string Value)> Seen) : ModelStep;

    public sealed record Write(string Key, string? Value) : ModelStep;
}

/// <summary>A committed transaction (or plain write, as a one-step transaction) as the model checks it.</summary>
internal sealed record CommittedTxn(string Name, IsolationLevel Level, long ReadSeq, long? CommitSeq, List<ModelStep> Steps)
{
    public IEnumerable<string> WrittenKeys => Steps.OfType<ModelStep.Write>().Select(w => w.Key).Distinct();
}

/// <summary>
/// The serial model: every committed write at its sequence. It checks what transactions saw against the state at
/// the point each level promises, and that conflicts happen exactly when the rules say.
/// </summary>
internal sealed class TransactionModel
{
    private readonly List<CommittedTxn> _committed = [];

    public IReadOnlyList<CommittedTxn> Committed => _committed;

    public void Add(CommittedTxn txn)
    {
        lock (_committed)
        {
            _committed.Add(txn);
        }
    }

    /// <summary>The value of every key after all commits at or below <paramref name="seq"/>.</summary>
    public SortedDictionary<string, string> StateAt(long seq)
    {
        var state = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var txn in _committed.Where(t => t.CommitSeq is { } s && s <= seq).OrderBy(t => t.CommitSeq))
        {
            foreach (var write in txn.Steps.OfType<ModelStep.Write>())
            {
                if (write.Value is null)
                {
                    state.Remove(write.Key);
                }
                else
                {
                    state[write.Key] = write.Value;
                }
            }
        }

        return state;
    }

    /// <summary>
    /// Whether a commit of <paramref name="level"/> reading at <paramref name="readSeq"/> must conflict with the commits
    /// recorded so far, given what it wrote and read.
    /// </summary>
    public bool MustConflict(IsolationLevel level, long readSeq, List<ModelStep> steps)
    {
        var writes = steps.OfType<ModelStep.Write>().Select(w => w.Key).ToHashSet(StringComparer.Ordinal);
        if (writes.Count == 0)
        {
            return false;
        }

        var reads = new HashSet<string>(StringComparer.Ordinal);
        var ranges = new List<(string Low, string High)>();
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            switch (step)
            {
                case ModelStep.Write w:
                    written.Add(w.Key);
                    break;
                case ModelStep.Read r when !written.Contains(r.Key):
                    reads.Add(r.Key);
                    break;
                case ModelStep.Scan s:
                    ranges.Add((s.Low, s.High));
                    break;
            }
        }

        foreach (var other in _committed.Where(t => t.CommitSeq > readSeq))
        {
            foreach (var key in other.WrittenKeys)
            {
                if (writes.Contains(key))
                {
                    return true;
                }

                if (level == IsolationLevel.SerializableSnapshot
                    && (reads.Contains(key) || ranges.Any(r => string.CompareOrdinal(key, r.Low) >= 0 && string.CompareOrdinal(key, r.High) < 0)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Checks every committed transaction: a serializable one saw the state just before its commit (so the committed
    /// history is serial in commit order; a read-only one at its read sequence); a snapshot one saw the state at its
    /// read sequence, and no commit between its read sequence and its own wrote a key it wrote (first committer wins).
    /// </summary>
    public void Verify()
    {
        foreach (var txn in _committed.Where(t => !t.Name.StartsWith("plain", StringComparison.Ordinal)))
        {
            var serialPoint = txn.Level == IsolationLevel.SerializableSnapshot && txn.CommitSeq is { } commit ? commit - 1 : txn.ReadSeq;
            Replay(txn, StateAt(serialPoint));
            if (txn.CommitSeq is { } seq)
            {
                var mine = txn.WrittenKeys.ToHashSet(StringComparer.Ordinal);
                var overlapping = _committed.Where(o => o != txn && o.CommitSeq > txn.ReadSeq && o.CommitSeq < seq && o.WrittenKeys.Any(mine.Contains)).ToList();
                overlapping.Should().BeEmpty($"{txn.Name} committed over a concurrent write to one of its keys");
            }
        }

        _committed.Select(t => t.CommitSeq).OfType<long>().Should().OnlyHaveUniqueItems("each commit has its own sequence");
    }

    private static void Replay(CommittedTxn txn, SortedDictionary<string, string> state)
    {
        foreach (var step in txn.Steps)
        {
            switch (step)
            {
                case ModelStep.Read r:
                    r.Seen.Should().Be(state.GetValueOrDefault(r.Key), $"{txn.Name} read {r.Key} (level {txn.Level}, read seq {txn.ReadSeq}, commit seq {txn.CommitSeq})");
                    break;
                case ModelStep.Scan s:
                    var expected = state.Where(p => string.CompareOrdinal(p.Key, s.Low) >= 0 && string.CompareOrdinal(p.Key, s.High) < 0).Select(p => (p.Key, p.Value)).ToList();
                    s.Seen.Should().Equal(expected, $"{txn.Name} scanned [{s.Low}, {s.High}) (level {txn.Level}, read seq {txn.ReadSeq}, commit seq {txn.CommitSeq})");
                    break;
                case ModelStep.Write w:
                    if (w.Value is null)
                    {
                        state.Remove(w.Key);
                    }
                    else
                    {
                        state[w.Key] = w.Value;
                    }

                    break;
            }
        }
    }
}
