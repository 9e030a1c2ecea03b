namespace SlateDB;

/// <summary>
/// Combines merge operands with a key's existing value (SlateDB's <c>MergeOperator</c>). A merge writes an operand
/// (<see cref="SlateDb.MergeAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, MergeOptions?, WriteOptions?, CancellationToken)"/>);
/// reads, the L0 flush and compaction fold operands over the newest value beneath them in sequence order.
/// </summary>
/// <remarks>
/// <para>
/// The operator must be associative: the engine folds runs of operands together before it sees the value beneath them
/// (a flush or a compaction folds what no snapshot can tell apart and writes the result as one operand), so
/// <c>merge(merge(v, a), b)</c> must equal <c>merge(v, merge(absent, a) folded with b)</c>. It must be deterministic
/// and must not keep the spans it is given. It is called from reads, flushes and compactions, possibly at once from
/// several threads.
/// </para>
/// <para>
/// An exception thrown by the operator fails the read, or the flush or compaction that called it, with a
/// <see cref="SlateDbException"/> (kind <see cref="SlateDbErrorKind.Invalid"/>) naming the operator; nothing is written
/// half-way, and a failed flush or compaction is tried again later.
/// </para>
/// </remarks>
public interface IMergeOperator
{
    /// <summary>Merges one operand into the existing value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="hasExisting">False when there is no existing value (the key was absent, deleted or expired, or only operands are being combined); <paramref name="existing"/> is then empty.</param>
    /// <param name="existing">The existing value when <paramref name="hasExisting"/>.</param>
    /// <param name="operand">The operand to apply.</param>
    /// <returns>The new value.</returns>
    byte[] Merge(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, ReadOnlySpan<byte> operand);

    /// <summary>
    /// Merges several operands, oldest first, into the existing value. The default folds them one by one with
    /// <see cref="Merge"/>; override it when a batch can be combined faster.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="hasExisting">False when there is no existing value; <paramref name="existing"/> is then empty.</param>
    /// <param name="existing">The existing value when <paramref name="hasExisting"/>.</param>
    /// <param name="operands">The operands, oldest first; never empty when the engine calls it.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentException">No operand and no existing value.</exception>
    byte[] MergeBatch(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, IReadOnlyList<ReadOnlyMemory<byte>> operands)
    {
        ArgumentNullException.ThrowIfNull(operands);
        if (operands.Count == 0)
        {
            return hasExisting ? existing.ToArray() : throw new ArgumentException("No operand to merge and no existing value.", nameof(operands));
        }

        var result = Merge(key, hasExisting, existing, operands[0].Span);
        for (var i = 1; i < operands.Count; i++)
        {
            result = Merge(key, true, result, operands[i].Span);
        }

        return result;
    }
}
