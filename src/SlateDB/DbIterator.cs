using SlateDB.Format;
using SlateDB.Iterators;
using SlateDB.Merge;

namespace SlateDB;

/// <summary>
/// Walks the keys of a range in order (<see cref="ScanOptions.Order"/>), returning each key's newest visible
/// version; deleted and expired keys are skipped. It sees the database as it was when it was created: later writes,
/// flushes and compactions do not change what it returns. Not thread-safe. After an error it stays failed. Dispose it
/// when done: that cancels the block reads it started ahead (as does a seek, for the reads it no longer needs).
/// </summary>
public sealed class DbIterator : IAsyncDisposable
{
    /// <summary>
    /// The cancellation token is checked once every this many source steps (rows, including skipped versions): rows served from memory never wait, so
    /// the sources alone would not notice a cancellation (a per-row check would cost the benchmarked scan loop).
    /// </summary>
    internal const int CancellationCheckInterval = 64;

    private readonly Func<KeyRange, IRowIterator> _open;
    private readonly KeyRange _range;
    private readonly IterationOrder _order;
    private readonly ulong _maxSeq;
    private readonly Func<long> _now;
    private readonly Action? _onDispose;

    /// <summary>Folds merge operands; null when no operator is configured (an operand is then an error).</summary>
    private readonly MergeFolder? _merge;

    /// <summary>With an operator: every version of the key being gathered that this iterator may see.</summary>
    private readonly List<RowEntry>? _versions;
    private IRowIterator _rows;
    private bool _exhausted;

    /// <summary>Whether versions of one key are being gathered (the key's first row has been read).</summary>
    private bool _inGroup;

    /// <summary>
    /// The newest version of the key being gathered that this iterator may see when <see cref="_hasBest"/>; otherwise
    /// the key's first row, kept for its key.
    /// </summary>
    private RowEntry _group;
    private bool _hasBest;

    /// <summary>The last key returned. Keys handed out by the sources are immutable, so this holds no copy.</summary>
    private ReadOnlyMemory<byte>? _lastKey;
    private Exception? _failure;
    private bool _disposed;

    /// <summary>Source steps taken since the cancellation token was last checked.</summary>
    private int _rowsSinceCancellationCheck;

    internal DbIterator(Func<KeyRange, IRowIterator> open, KeyRange range, IterationOrder order, ulong maxSeq, Func<long> now, Action? onDispose, MergeFolder? merge = null)
    {
        _merge = merge;
        _versions = merge is null ? null : [];
        _open = open;
        _range = range;
        _order = order;
        _maxSeq = maxSeq;
        _now = now;
        _onDispose = onDispose;
        _rows = open(range);
        _exhausted = range.IsEmpty;
    }

    /// <summary>The next key and value, or null at the end of the range.</summary>
    /// <exception cref="SlateDbException">A read failed (the iterator is then unusable).</exception>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> fired. Rows already in memory are returned without waiting, so it is noticed
    /// within a few dozen rows; the iterator stays usable.
    /// </exception>
    public ValueTask<KeyValue?> NextAsync(CancellationToken cancellationToken = default)
    {
        // Errors go into the returned task, as from an async method.
        if (_disposed)
        {
            return ValueTask.FromException<KeyValue?>(new ObjectDisposedException(GetType().FullName));
        }

        if (_failure is not null)
        {
            return ValueTask.FromException<KeyValue?>(new SlateDbException(SlateDbErrorKind.Invalid, "The iterator failed earlier and cannot be used.", _failure));
        }

        // Rows already in memory are read without an async state machine; the first wait for I/O hands over to one.
        ValueTask<bool> waiting;
        try
        {
            if (TryNext(advanced: null, cancellationToken, out var next, out waiting))
            {
                return new ValueTask<KeyValue?>(next);
            }
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException)
            {
                _failure = e;
            }

            return ValueTask.FromException<KeyValue?>(e);
        }

        return NextSlowAsync(waiting, cancellationToken);
    }

    private async ValueTask<KeyValue?> NextSlowAsync(ValueTask<bool> waiting, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var advanced = await waiting.ConfigureAwait(false);
                if (TryNext(advanced, cancellationToken, out var next, out waiting))
                {
                    return next;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _failure = e;
            throw;
        }
    }

    /// <summary>
    /// Reads rows until the next visible key (true, <paramref name="next"/> set; null at the end) or until a source has
    /// to wait (false, <paramref name="waiting"/> to await, its result to pass back as <paramref name="advanced"/>).
    /// <paramref name="advanced"/> is the result of the source step awaited before, or null for none.
    /// </summary>
    private bool TryNext(bool? advanced, CancellationToken cancellationToken, out KeyValue? next, out ValueTask<bool> waiting)
    {
        waiting = default;
        while (!_exhausted)
        {
            bool moved;
            if (advanced is { } result)
            {
                moved = result;
                advanced = null;
            }
            else
            {
                // Checked before a step, never between a step and its row, so a cancelled call loses no row.
                if (++_rowsSinceCancellationCheck == CancellationCheckInterval)
                {
                    _rowsSinceCancellationCheck = 0;
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var step = _rows.MoveNextAsync(cancellationToken);
                if (!step.IsCompletedSuccessfully)
                {
                    waiting = step;
                    next = null;
                    return false;
                }

                moved = step.Result;
            }

            if (!moved)
            {
                _exhausted = true;
                if (CloseGroup() is { } last)
                {
                    next = last;
                    return true;
                }

                break;
            }

            // Gather every version of a key (they come together); keep the newest one this iterator may see.
            var row = _rows.Current;
            if (_inGroup && row.Key.Span.SequenceEqual(_group.Key.Span))
            {
                if (row.Seq <= _maxSeq)
                {
                    _versions?.Add(row);
                    if (!_hasBest || row.Seq > _group.Seq)
                    {
                        _group = row;
                        _hasBest = true;
                    }
                }

                continue;
            }

            // A new key: the previous one is complete.
            var found = CloseGroup();
            _inGroup = true;
            _group = row;
            _hasBest = row.Seq <= _maxSeq;
            if (_versions is not null)
            {
                _versions.Clear();
                if (_hasBest)
                {
                    _versions.Add(row);
                }
            }
            if (found is not null)
            {
                next = found;
                return true;
            }
        }

        next = null;
        return true;
    }

    /// <summary>Ends the key being gathered: its newest visible version, or null when it is deleted, expired or not visible.</summary>
    private KeyValue? CloseGroup()
    {
        if (!_inGroup)
        {
            return null;
        }

        _inGroup = false;
        if (!_hasBest)
        {
            return null;
        }

        _hasBest = false;
        ref readonly var visible = ref _group;
        if (visible.Kind == RowKind.Tombstone)
        {
            return null;
        }

        if (visible.Kind == RowKind.Merge)
        {
            return ResolveMerge();
        }

        if (visible.ExpireTs is { } expire && expire <= _now())
        {
            return null;
        }

        _lastKey = visible.Key;
        return SlateDb.ToKeyValue(visible);
    }

    /// <summary>The value of a key whose newest visible version is a merge operand: its versions folded.</summary>
    private KeyValue? ResolveMerge()
    {
        if (_merge is null)
        {
            throw MergeFolder.MissingOperator();
        }

        var versions = _versions!;
        if (!IsNewestFirst(versions))
        {
            versions.Sort(static (a, b) => b.Seq.CompareTo(a.Seq));
        }

        var resolved = _merge.ResolveRead(versions, _now());
        versions.Clear();
        if (resolved is not { } row)
        {
            return null;
        }

        _lastKey = row.Key;
        return SlateDb.ToKeyValue(row);
    }

    private static bool IsNewestFirst(List<RowEntry> versions)
    {
        for (var i = 1; i < versions.Count; i++)
        {
            if (versions[i].Seq >= versions[i - 1].Seq)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Moves ahead to <paramref name="key"/>: the next call returns the first key at or after it (at or before it, in a
    /// descending scan). Seeking back to or behind a key already returned, or out of the range, is invalid.
    /// </summary>
    /// <exception cref="SlateDbException">Kind Invalid: the key is outside the range or not ahead of the last key returned.</exception>
    public ValueTask SeekAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_range.Contains(key.Span))
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, "Cannot seek to a key outside the iterator's range.");
        }

        var ascending = _order == IterationOrder.Ascending;
        if (_lastKey is { } lastKey)
        {
            var order = key.Span.SequenceCompareTo(lastKey.Span);
            if (ascending ? order <= 0 : order >= 0)
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, "Cannot seek backwards: the key is not ahead of the last key returned.");
            }
        }

        var owned = key.ToArray();
        _rows.Dispose();
        _rows = _open(ascending ? _range.WithStart(owned) : _range.WithEnd(owned));
        _inGroup = false;
        _hasBest = false;
        _group = default;
        _versions?.Clear();
        _exhausted = false;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _rows.Dispose();
            _onDispose?.Invoke();
        }

        return ValueTask.CompletedTask;
    }
}
