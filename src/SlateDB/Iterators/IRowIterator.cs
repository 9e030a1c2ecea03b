using SlateDB.Format;

namespace SlateDB.Iterators;

/// <summary>
/// A source of rows in key order (ascending or descending, as created), every version included. Versions of one
/// key come together but in no promised order: readers pick the newest visible one. Disposing an iterator (and an
/// iterator disposes the sources it owns) cancels the block reads it started ahead of the reader; it is then unusable.
/// </summary>
internal interface IRowIterator : IDisposable
{
    /// <summary>The current row; valid after <see cref="MoveNextAsync"/> returned true.</summary>
    RowEntry Current { get; }

    /// <summary>Moves to the next row; false at the end.</summary>
    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken);
}
