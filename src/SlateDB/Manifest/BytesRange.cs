using SlateDB.Common;

namespace SlateDB.Manifest;

/// <summary>How one end of a <see cref="BytesRange"/> is bounded.</summary>
internal enum BoundKind : byte
{
    /// <summary>No bound: the range runs to the end of the key space.</summary>
    Unbounded = 0,

    /// <summary>The bound key belongs to the range.</summary>
    Included = 1,

    /// <summary>The bound key does not belong to the range.</summary>
    Excluded = 2,
}

/// <summary>One end of a key range: unbounded, or a key that is included or excluded. Compares by content.</summary>
internal readonly struct BytesBound : IEquatable<BytesBound>
{
    private BytesBound(BoundKind kind, ReadOnlyMemory<byte> key)
    {
        Kind = kind;
        Key = key;
    }

    /// <summary>The unbounded end.</summary>
    public static BytesBound Unbounded => default;

    /// <summary>How this end is bounded.</summary>
    public BoundKind Kind { get; }

    /// <summary>The bound key (empty when unbounded).</summary>
    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>True when this end has a key.</summary>
    public bool IsBounded => Kind != BoundKind.Unbounded;

    /// <summary>A bound that includes <paramref name="key"/>.</summary>
    public static BytesBound Included(ReadOnlyMemory<byte> key) => new(BoundKind.Included, key);

    /// <summary>A bound that excludes <paramref name="key"/>.</summary>
    public static BytesBound Excluded(ReadOnlyMemory<byte> key) => new(BoundKind.Excluded, key);

    /// <inheritdoc/>
    public bool Equals(BytesBound other)
        => Kind == other.Kind && (Kind == BoundKind.Unbounded || ModelEquality.Bytes(Key, other.Key));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BytesBound other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
        => Kind == BoundKind.Unbounded ? 0 : HashCode.Combine(Kind, ModelEquality.BytesHash(Key));

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        BoundKind.Included => $"Included({Convert.ToHexString(Key.Span)})",
        BoundKind.Excluded => $"Excluded({Convert.ToHexString(Key.Span)})",
        _ => "Unbounded",
    };

    /// <summary>Equality.</summary>
    public static bool operator ==(BytesBound left, BytesBound right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(BytesBound left, BytesBound right) => !left.Equals(right);
}

/// <summary>A range of keys (Rust <c>BytesRange</c>); keys compare as unsigned bytes, shorter prefix first.</summary>
internal sealed record BytesRange(BytesBound Start, BytesBound End)
{
    /// <summary>The whole key space.</summary>
    public static BytesRange All { get; } = new(BytesBound.Unbounded, BytesBound.Unbounded);

    /// <summary>True when no key can lie in the range (SlateDB never stores such a range).</summary>
    public bool IsEmpty
    {
        get
        {
            if (!Start.IsBounded || !End.IsBounded)
            {
                return false;
            }

            var order = Start.Key.Span.SequenceCompareTo(End.Key.Span);
            return Start.Kind == BoundKind.Included && End.Kind == BoundKind.Included ? order > 0 : order >= 0;
        }
    }
}
