using SlateDB.Format;
using SlateDB.Iterators;

namespace SlateDB;

/// <summary>
/// Walks the keys of a range in order (<see cref="ScanOptions.Order"/>), returning each key's newest visible
/// version; deleted and expired keys are skipped. It sees the database as it was when it was created: later writes,
/// flushes and compactions do not change what it returns. Not thread-safe. After an error it stays failed.
/// </summary>
public sealed class DbIterator : IAsyncDisposable
{
    private readonly Func<KeyRange, IRowIterator> _open;
    private readonly KeyRange _range;
    private readonly IterationOrder _order;
    private readonly ulong _maxSeq;
    private readonly Func<long> _now;
    private readonly Action? _onDispose;
    private IRowIterator _rows;
    private bool _hasPending;
    private bool _exhausted;
    private RowEntry _pending;
    private byte[]? _lastKey;
    private Exception? _failure;
    private bool _disposed;

    internal DbIterator(Func<KeyRange, IRowIterator> open, KeyRange range, IterationOrder order, ulong maxSeq, Func<long> now, Action? onDispose)
    {
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
    public async ValueTask<KeyValue?> NextAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, "The iterator failed earlier and cannot be used.", _failure);
        }

        try
        {
            while (!_exhausted)
            {
                if (!_hasPending && !await AdvanceAsync(cancellationToken).ConfigureAwait(false))
                {
                    _exhausted = true;
                    return null;
                }

                // Gather every version of this key; keep the newest one this iterator may see.
                var key = _pending.Key;
                RowEntry? best = null;
                do
                {
                    var row = _pending;
                    if (row.Seq <= _maxSeq && (best is null || row.Seq > best.Value.Seq))
                    {
                        best = row;
                    }

                    _hasPending = false;
                }
                while (await AdvanceAsync(cancellationToken).ConfigureAwait(false) && _pending.Key.Span.SequenceEqual(key.Span));

                if (best is not { } visible || visible.Kind == RowKind.Tombstone)
                {
                    continue;
                }

                if (visible.Kind == RowKind.Merge)
                {
                    throw new SlateDbException(SlateDbErrorKind.Invalid, "The database holds merge operands, but no merge operator is configured.");
                }

                if (visible.ExpireTs is { } expire && expire <= _now())
                {
                    continue;
                }

                _lastKey = visible.Key.ToArray();
                return SlateDb.ToKeyValue(visible);
            }

            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _failure = e;
            throw;
        }
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
        if (_lastKey is not null)
        {
            var order = key.Span.SequenceCompareTo(_lastKey);
            if (ascending ? order <= 0 : order >= 0)
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, "Cannot seek backwards: the key is not ahead of the last key returned.");
            }
        }

        var owned = key.ToArray();
        _rows = _open(ascending ? _range.WithStart(owned) : _range.WithEnd(owned));
        _hasPending = false;
        _exhausted = false;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _onDispose?.Invoke();
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask<bool> AdvanceAsync(CancellationToken cancellationToken)
    {
        if (await _rows.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            _pending = _rows.Current;
            _hasPending = true;
            return true;
        }

        _hasPending = false;
        return false;
    }
}
