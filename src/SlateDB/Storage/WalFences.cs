using SlateDB.Sst;

namespace SlateDB.Storage;

/// <summary>
/// Recognises WAL fences by their bytes: a zero-byte object (what SlateDB 0.14 and later write) or an SST without rows
/// (what SlateDB 0.12.1 and this library write). Every writer fencing a slot writes the same bytes.
/// </summary>
internal static class WalFences
{
    /// <summary>
    /// The largest object that can be a fence. An SST without rows holds only its empty index, statistics and SST
    /// info, well under this.
    /// </summary>
    public const long MaxSize = 1024;

    /// <summary>
    /// Whether <paramref name="bytes"/> are a fence: true for zero bytes or a readable SST without rows, false for
    /// anything else, null when small enough to be a fence but not readable as an SST.
    /// </summary>
    public static bool? Classify(ReadOnlyMemory<byte> bytes, string path)
    {
        if (bytes.IsEmpty)
        {
            return true;
        }

        if (bytes.Length > MaxSize)
        {
            return false;
        }

        try
        {
            return SstFile.Open(bytes, path).BlockCount == 0;
        }
        catch (Exception e) when (e is SlateDbException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>Whether a put of <paramref name="bytes"/> certainly writes a fence (what any other writer fencing the slot writes too).</summary>
    public static bool IsFence(ReadOnlyMemory<byte> bytes, string path) => Classify(bytes, path) == true;
}
