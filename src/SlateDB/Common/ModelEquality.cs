namespace SlateDB.Common;

/// <summary>Structural equality helpers for the metadata model (lists and byte strings compare by content).</summary>
internal static class ModelEquality
{
    /// <summary>True when both lists hold equal items in the same order.</summary>
    public static bool Sequence<T>(IReadOnlyList<T> left, IReadOnlyList<T> right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left.Count != right.Count)
        {
            return false;
        }

        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < left.Count; i++)
        {
            if (!comparer.Equals(left[i], right[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A hash of a list's items in order.</summary>
    public static int SequenceHash<T>(IReadOnlyList<T> items)
    {
        var hash = new HashCode();
        hash.Add(items.Count);
        foreach (var item in items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <summary>True when both byte strings hold the same bytes.</summary>
    public static bool Bytes(ReadOnlyMemory<byte> left, ReadOnlyMemory<byte> right)
        => left.Span.SequenceEqual(right.Span);

    /// <summary>True when both optional byte strings are absent, or both present with the same bytes.</summary>
    public static bool Bytes(ReadOnlyMemory<byte>? left, ReadOnlyMemory<byte>? right)
        => left.HasValue == right.HasValue && (!left.HasValue || Bytes(left.GetValueOrDefault(), right.GetValueOrDefault()));

    /// <summary>A hash of a byte string's content.</summary>
    public static int BytesHash(ReadOnlyMemory<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes.Span);
        return hash.ToHashCode();
    }

    /// <summary>A hash of an optional byte string's content.</summary>
    public static int BytesHash(ReadOnlyMemory<byte>? bytes)
        => bytes.HasValue ? BytesHash(bytes.GetValueOrDefault()) : -1;
}
