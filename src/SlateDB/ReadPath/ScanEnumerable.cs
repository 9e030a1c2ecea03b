using System.Runtime.ExceptionServices;

namespace SlateDB.ReadPath;

/// <summary>
/// A scan as an async sequence (what <c>ScanAsync</c> returns). Each enumeration opens its own <see cref="DbIterator"/>
/// at its first <c>MoveNextAsync</c>, so it sees the database as of then, and closes it at the end, on an error or when
/// disposed. A step whose row is already in memory completes without an async state machine. The token given to
/// <c>ScanAsync</c> and the one given to <c>GetAsyncEnumerator</c> (<c>WithCancellation</c>) both cancel, as with a
/// compiler-generated async iterator.
/// </summary>
internal sealed class ScanEnumerable(Func<CancellationToken, ValueTask<DbIterator>> open, CancellationToken scanToken) : IAsyncEnumerable<KeyValue>
{
    public IAsyncEnumerator<KeyValue> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        new Enumerator(open, scanToken, cancellationToken);

    private sealed class Enumerator : IAsyncEnumerator<KeyValue>
    {
        private readonly Func<CancellationToken, ValueTask<DbIterator>> _open;
        private readonly CancellationTokenSource? _linked;
        private readonly CancellationToken _token;
        private DbIterator? _iterator;
        private KeyValue? _current;
        private bool _finished;

        public Enumerator(Func<CancellationToken, ValueTask<DbIterator>> open, CancellationToken scanToken, CancellationToken enumeratorToken)
        {
            _open = open;
            if (scanToken.CanBeCanceled && enumeratorToken.CanBeCanceled && scanToken != enumeratorToken)
            {
                _linked = CancellationTokenSource.CreateLinkedTokenSource(scanToken, enumeratorToken);
                _token = _linked.Token;
            }
            else
            {
                _token = scanToken.CanBeCanceled ? scanToken : enumeratorToken;
            }
        }

        public KeyValue Current => _current!;

        public ValueTask<bool> MoveNextAsync()
        {
            if (_iterator is not { } iterator)
            {
                return _finished ? new ValueTask<bool>(false) : OpenAndMoveAsync();
            }

            // NextAsync reports errors through the task it returns, never by throwing.
            var next = iterator.NextAsync(_token);
            if (next.IsCompletedSuccessfully)
            {
                return Moved(next.Result) ? new ValueTask<bool>(true) : FinishAsync(error: null);
            }

            return AwaitNextAsync(next);
        }

        public async ValueTask DisposeAsync()
        {
            _finished = true;
            await CloseAsync().ConfigureAwait(false);
            _linked?.Dispose();
        }

        private async ValueTask<bool> OpenAndMoveAsync()
        {
            try
            {
                _iterator = await _open(_token).ConfigureAwait(false);
            }
            catch
            {
                _finished = true;
                throw;
            }

            return await AwaitNextAsync(_iterator.NextAsync(_token)).ConfigureAwait(false);
        }

        private async ValueTask<bool> AwaitNextAsync(ValueTask<KeyValue?> next)
        {
            KeyValue? row;
            try
            {
                row = await next.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return await FinishAsync(e).ConfigureAwait(false);
            }

            return Moved(row) || await FinishAsync(error: null).ConfigureAwait(false);
        }

        private bool Moved(KeyValue? row)
        {
            _current = row;
            return row is not null;
        }

        /// <summary>Ends the enumeration: closes the iterator, then returns false or rethrows <paramref name="error"/>.</summary>
        private async ValueTask<bool> FinishAsync(Exception? error)
        {
            _finished = true;
            _current = null;
            await CloseAsync().ConfigureAwait(false);
            if (error is not null)
            {
                ExceptionDispatchInfo.Throw(error);
            }

            return false;
        }

        private ValueTask CloseAsync()
        {
            var iterator = _iterator;
            _iterator = null;
            return iterator?.DisposeAsync() ?? ValueTask.CompletedTask;
        }
    }
}
