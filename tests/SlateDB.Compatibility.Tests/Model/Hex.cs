namespace SlateDB.Compatibility.Tests.Model;

/// <summary>Keys and values in failure messages.</summary>
internal static class Hex
{
    public static string Of(byte[]? bytes, int limit = 48)
    {
        if (bytes is null)
        {
            return "null";
        }

        return bytes.Length <= limit
            ? Convert.ToHexStringLower(bytes)
            : $"{Convert.ToHexStringLower(bytes.AsSpan(0, limit))}…({bytes.Length} bytes)";
    }
}
