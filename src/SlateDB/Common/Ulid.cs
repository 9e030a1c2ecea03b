using System.Diagnostics.CodeAnalysis;

namespace SlateDB.Common;

/// <summary>
/// A 128-bit ULID as SlateDB uses it to name compacted SSTs, SST views and compactions: the upper 48 bits are a
/// Unix timestamp in milliseconds, the lower 80 bits are random. Its text form is 26 characters of Crockford
/// base32 (upper case when written, either case when read); it sorts like the 128-bit number it encodes.
/// </summary>
internal readonly struct Ulid : IEquatable<Ulid>, IComparable<Ulid>
{
    /// <summary>Length of the text form.</summary>
    public const int TextLength = 26;

    /// <summary>The largest timestamp a ULID can hold (48 bits of milliseconds).</summary>
    public const ulong MaxTimestampMs = (1UL << 48) - 1;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>Creates a ULID from its upper and lower 64 bits (as the manifest stores it).</summary>
    public Ulid(ulong high, ulong low)
    {
        High = high;
        Low = low;
    }

    /// <summary>The all-zero ULID.</summary>
    public static Ulid Empty => default;

    /// <summary>The upper 64 bits: 48 bits of timestamp, then the first 16 random bits.</summary>
    public ulong High { get; }

    /// <summary>The lower 64 random bits.</summary>
    public ulong Low { get; }

    /// <summary>The Unix timestamp in milliseconds held in the upper 48 bits.</summary>
    public ulong TimestampMs => High >> 16;

    /// <summary>
    /// Builds a ULID from a millisecond timestamp and 80 random bits (<paramref name="randomHigh"/> gives the upper
    /// 16 of them). Bits beyond 48 of the timestamp and beyond 16 of <paramref name="randomHigh"/> are dropped.
    /// </summary>
    public static Ulid FromParts(ulong timestampMs, ushort randomHigh, ulong randomLow)
        => new(((timestampMs & MaxTimestampMs) << 16) | randomHigh, randomLow);

    /// <summary>Parses the 26-character Crockford base32 form, in either case.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a ULID.</exception>
    public static Ulid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text.AsSpan(), out var ulid))
        {
            throw new FormatException($"'{text}' is not a ULID: expected {TextLength} Crockford base32 characters, the first one 0-7.");
        }

        return ulid;
    }

    /// <summary>Tries to parse the 26-character Crockford base32 form, in either case.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Ulid ulid)
    {
        if (text is null)
        {
            ulid = default;
            return false;
        }

        return TryParse(text.AsSpan(), out ulid);
    }

    /// <summary>Tries to parse the 26-character Crockford base32 form, in either case.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Ulid ulid)
    {
        ulid = default;
        if (text.Length != TextLength)
        {
            return false;
        }

        // The first character carries only the top 3 bits of the 128-bit value.
        var first = DecodeChar(text[0]);
        if (first is < 0 or > 7)
        {
            return false;
        }

        ulong high = 0;
        ulong low = (ulong)first;
        for (var i = 1; i < TextLength; i++)
        {
            var value = DecodeChar(text[i]);
            if (value < 0)
            {
                return false;
            }

            // Shift the 128-bit (high, low) pair left by 5 and add the new digit.
            high = (high << 5) | (low >> 59);
            low = (low << 5) | (uint)value;
        }

        ulid = new Ulid(high, low);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        return string.Create(TextLength, this, static (chars, ulid) =>
        {
            var high = ulid.High;
            var low = ulid.Low;
            for (var i = TextLength - 1; i >= 0; i--)
            {
                chars[i] = Alphabet[(int)(low & 0x1F)];
                low = (low >> 5) | (high << 59);
                high >>= 5;
            }
        });
    }

    /// <inheritdoc/>
    public bool Equals(Ulid other) => High == other.High && Low == other.Low;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Ulid other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(High, Low);

    /// <inheritdoc/>
    public int CompareTo(Ulid other)
    {
        var byHigh = High.CompareTo(other.High);
        return byHigh != 0 ? byHigh : Low.CompareTo(other.Low);
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(Ulid left, Ulid right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Ulid left, Ulid right) => !left.Equals(right);

    /// <summary>Ordering by the 128-bit value.</summary>
    public static bool operator <(Ulid left, Ulid right) => left.CompareTo(right) < 0;

    /// <summary>Ordering by the 128-bit value.</summary>
    public static bool operator >(Ulid left, Ulid right) => left.CompareTo(right) > 0;

    /// <summary>Ordering by the 128-bit value.</summary>
    public static bool operator <=(Ulid left, Ulid right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering by the 128-bit value.</summary>
    public static bool operator >=(Ulid left, Ulid right) => left.CompareTo(right) >= 0;

    private static int DecodeChar(char c)
    {
        // Crockford letters without I, L, O and U, in either case (as the Rust ulid crate reads them).
        if (c is >= '0' and <= '9')
        {
            return c - '0';
        }

        var upper = c is >= 'a' and <= 'z' ? (char)(c - 32) : c;
        if (upper is < 'A' or > 'Z')
        {
            return -1;
        }

        var index = Alphabet.IndexOf(upper, StringComparison.Ordinal);
        return index;
    }
}
