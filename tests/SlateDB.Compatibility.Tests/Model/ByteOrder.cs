namespace SlateDB.Compatibility.Tests.Model;

/// <summary>Unsigned lexicographic byte order, SlateDB's key order.</summary>
internal sealed class ByteOrder : IComparer<byte[]>
{
    public static ByteOrder Instance { get; } = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
