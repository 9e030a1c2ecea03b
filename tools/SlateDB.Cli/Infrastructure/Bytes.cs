using System.Text;

namespace SlateDB.Cli.Infrastructure;

/// <summary>How keys and values are shown and how key arguments are read.</summary>
internal enum BytesMode
{
    /// <summary>UTF-8 text when the bytes are printable UTF-8, otherwise hex with a <c>0x</c> prefix.</summary>
    Auto,

    /// <summary>Always UTF-8 text.</summary>
    Utf8,

    /// <summary>Always lowercase hex (arguments in hex too).</summary>
    Hex,

    /// <summary>Not shown (values only).</summary>
    None,
}

internal static class Bytes
{
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Render(ReadOnlySpan<byte> bytes, BytesMode mode)
    {
        switch (mode)
        {
            case BytesMode.Hex:
                return Convert.ToHexStringLower(bytes);
            case BytesMode.Utf8:
                return Encoding.UTF8.GetString(bytes);
            case BytesMode.None:
                return string.Empty;
            default:
                if (TryPrintable(bytes, out var text))
                {
                    return text;
                }

                return "0x" + Convert.ToHexStringLower(bytes);
        }
    }

    /// <summary>Reads a key argument: hex in <see cref="BytesMode.Hex"/> mode, <c>0x</c>-prefixed hex in auto mode, UTF-8 otherwise.</summary>
    public static byte[] Parse(string text, BytesMode mode)
    {
        try
        {
            return mode switch
            {
                BytesMode.Hex => Convert.FromHexString(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text),
                BytesMode.Auto when text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => Convert.FromHexString(text[2..]),
                _ => Encoding.UTF8.GetBytes(text),
            };
        }
        catch (FormatException)
        {
            throw new CliException(ExitCodes.Usage, $"'{text}' is not hex.");
        }
    }

    private static bool TryPrintable(ReadOnlySpan<byte> bytes, out string text)
    {
        text = string.Empty;
        try
        {
            text = s_strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or ' '))
            {
                return false;
            }
        }

        return true;
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB",
    };
}
