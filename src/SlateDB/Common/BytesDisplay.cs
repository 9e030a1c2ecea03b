using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace SlateDB.Common;

/// <summary>Bytes as a person reads them in a log line: quoted UTF-8 text when they are printable text, else hex; bounded.</summary>
internal static class BytesDisplay
{
    /// <summary>At most this many bytes of text are shown (cut back to a whole character).</summary>
    internal const int MaxTextBytes = 64;

    /// <summary>At most this many bytes are shown in hex.</summary>
    internal const int MaxHexBytes = 32;

    public static void Append(StringBuilder text, ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes) && ShownText(bytes) is { } shown)
        {
            text.Append('"').Append(shown).Append('"');
            AppendCut(text, bytes.Length, MaxTextBytes);
            return;
        }

        text.Append("0x").Append(Convert.ToHexString(bytes[..Math.Min(bytes.Length, MaxHexBytes)]));
        AppendCut(text, bytes.Length, MaxHexBytes);
    }

    /// <summary>The text shown for valid UTF-8: its first whole characters, or null when they hold a control character.</summary>
    private static string? ShownText(ReadOnlySpan<byte> bytes)
    {
        var cut = Math.Min(bytes.Length, MaxTextBytes);
        while (cut < bytes.Length && cut > 0 && (bytes[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        var shown = Encoding.UTF8.GetString(bytes[..cut]);
        foreach (var c in shown)
        {
            if (char.IsControl(c))
            {
                return null;
            }
        }

        return shown;
    }

    private static void AppendCut(StringBuilder text, int length, int limit)
    {
        if (length > limit)
        {
            text.Append(CultureInfo.InvariantCulture, $"… ({length} bytes)");
        }
    }
}
