namespace SlateDB.Transactions;

/// <summary>Orders byte arrays as keys are ordered: bytewise, unsigned, shorter prefix first.</summary>
internal sealed class ByteArrayOrder : IComparer<byte[]>
{
    public static ByteArrayOrder Instance { get; } = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
