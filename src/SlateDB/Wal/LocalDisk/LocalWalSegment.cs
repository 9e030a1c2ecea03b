namespace SlateDB.Wal.LocalDisk;

/// <summary>One segment file of a local WAL: named by the first WAL id it holds; counts the ids not yet collected.</summary>
internal sealed class LocalWalSegment(ulong firstId, string path)
{
    public ulong FirstId { get; } = firstId;

    public string Path { get; } = path;

    /// <summary>How many of its records the garbage collector has not deleted yet.</summary>
    public int Live { get; set; }

    /// <summary>Its length in bytes: where the next record goes when it is the active segment.</summary>
    public long Length { get; set; }

    public static string FileName(ulong firstId) => $"{firstId:D20}.wal";

    public static bool TryParseName(string fileName, out ulong firstId)
    {
        firstId = 0;
        return fileName.Length == 24 && fileName.EndsWith(".wal", StringComparison.Ordinal)
            && ulong.TryParse(fileName.AsSpan(0, 20), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out firstId);
    }
}
