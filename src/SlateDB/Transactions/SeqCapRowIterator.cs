using SlateDB.Format;
using SlateDB.Iterators;

namespace SlateDB.Transactions;

/// <summary>Passes on only the rows at or below a sequence: the database as a transaction's snapshot sees it.</summary>
internal sealed class SeqCapRowIterator(IRowIterator inner, ulong maxSeq) : IRowIterator
{
    public RowEntry Current => inner.Current;

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var step = inner.MoveNextAsync(cancellationToken);
            if (!step.IsCompletedSuccessfully)
            {
                return WaitAsync(step, cancellationToken);
            }

            if (!step.Result)
            {
                return new(false);
            }

            if (inner.Current.Seq <= maxSeq)
            {
                return new(true);
            }
        }
    }

    public void Dispose() => inner.Dispose();

    private async ValueTask<bool> WaitAsync(ValueTask<bool> step, CancellationToken cancellationToken)
    {
        while (await step.ConfigureAwait(false))
        {
            if (inner.Current.Seq <= maxSeq)
            {
                return true;
            }

            step = inner.MoveNextAsync(cancellationToken);
        }

        return false;
    }
}
