using SlateDB.Format;
using SlateDB.Iterators;
using SlateDB.Merge;

namespace SlateDB.Compaction;

/// <summary>
/// The merge loop of a compaction without a filter, run synchronously while the merge's next row is in memory: the
/// rows of a decoded block pass through one ordinary method (locals in registers) instead of one step of an async
/// state machine each. It stops and says why when the caller has to wait: the merge's next step is pending, or the
/// batch is full and must be queued. Groups each key's versions and applies retention exactly as the filtered loop does.
/// </summary>
internal sealed class PlainMergeLoop(MergeRowIterator merged, RetentionPolicy retention, MergeFolder? merge, BlockBuffers? buffers)
{
    private readonly List<RowEntry> _versions = [];
    private readonly List<RowEntry> _kept = [];
    private readonly RetentionPolicy _retention = retention;

    /// <summary>The first version of the key being gathered; <see cref="_versions"/> holds it and the others once a second one comes.</summary>
    private RowEntry _first;
    private bool _gathering;

    /// <summary>The batch kept rows go to (the caller swaps in a new one after queueing a full one).</summary>
    public required CompactionExecutor.RowBatch Batch { get; set; }

    /// <summary>Rows the merge produced so far.</summary>
    public long RowsRead { get; private set; }

    /// <summary>
    /// Takes rows while the merge's steps complete at once. <see cref="Stop.Pending"/>: <paramref name="pending"/> is
    /// the step to await, then <see cref="Take"/> its row if it had one; <see cref="Stop.BatchFull"/>: queue
    /// <see cref="Batch"/> and give a new one; <see cref="Stop.End"/>: no row is left (call <see cref="Finish"/>).
    /// </summary>
    public Stop Run(CancellationToken cancellationToken, out ValueTask<bool> pending)
    {
        while (true)
        {
            var step = merged.MoveNextAsync(cancellationToken);
            if (!step.IsCompletedSuccessfully)
            {
                pending = step;
                return Stop.Pending;
            }

            if (!step.Result)
            {
                pending = default;
                return Stop.End;
            }

            if (!Take())
            {
                pending = default;
                return Stop.BatchFull;
            }
        }
    }

    /// <summary>Takes the merge's current row; false when the batch is full (the row is taken).</summary>
    public bool Take()
    {
        ref readonly var row = ref merged.CurrentRef;
        RowsRead++;
        var full = false;
        if (_gathering)
        {
            if (row.Key.Span.SequenceEqual(_first.Key.Span))
            {
                if (_versions.Count == 0)
                {
                    _versions.Add(_first);
                }

                // The same version can only appear twice if two inputs hold a copy; write it once.
                if (row.Seq != _versions[^1].Seq)
                {
                    _versions.Add(row);
                }

                return true;
            }

            FinishKey();

            // Every row taken before this one is in a batch now: the block buffers the inputs left so far go with this
            // batch (the current row lies in a block still in use).
            if (buffers is { HasRetired: true })
            {
                buffers.MoveRetiredTo(Batch.Held);
            }

            full = Batch.IsFull;
        }

        _first = row;
        _gathering = true;
        return !full;
    }

    /// <summary>Decides the last key gathered (after <see cref="Stop.End"/>).</summary>
    public void Finish()
    {
        if (_gathering)
        {
            _gathering = false;
            FinishKey();
        }
    }

    /// <summary>Decides the key gathered: a lone live value or plain tombstone in place, anything else by the retention rules.</summary>
    private void FinishKey()
    {
        if (_versions.Count == 0 && CompactionExecutor.TryKeepAlone(_first, _retention, Batch))
        {
            return;
        }

        if (_versions.Count == 0)
        {
            _versions.Add(_first);
        }

        _kept.Clear();
        RetentionFilter.Apply(_versions, _retention, _kept, merge);
        _versions.Clear();
        foreach (var kept in _kept)
        {
            Batch.Add(kept);
        }
    }

    /// <summary>Why <see cref="Run"/> returned.</summary>
    public enum Stop
    {
        /// <summary>The merge's next step has to be awaited.</summary>
        Pending,

        /// <summary>The batch is full: queue it.</summary>
        BatchFull,

        /// <summary>No row is left.</summary>
        End,
    }
}
