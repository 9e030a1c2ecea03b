using System.Text;
using SlateDB.Common;

namespace SlateDB;

/// <summary>A key's value with its metadata, as <c>GetKeyValueAsync</c> and scans return it.</summary>
/// <remarks>
/// A scan hands out <see cref="Key"/> and <see cref="Value"/> without copying them: they are read-only slices of the
/// buffers the engine read them from (a data block, a read-ahead span of an SST, a chunk of a memtable). They stay
/// valid and unchanged for as long as they are referenced, but they keep that buffer alive; copy them
/// (<c>ToArray()</c>) to keep a few rows for long.
/// </remarks>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <param name="Sequence">The sequence number of the write that stored it.</param>
/// <param name="CreatedAt">When it was written, by the database clock (Unix epoch when the row has no create time).</param>
/// <param name="ExpiresAt">When it expires; null when it never does.</param>
public sealed record KeyValue(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    long Sequence,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt)
{
    /// <summary>The key decoded as UTF-8 (invalid bytes become U+FFFD). Allocates a new string on each call.</summary>
    public string GetKeyString() => Encoding.UTF8.GetString(Key.Span);

    /// <summary>The value decoded as UTF-8 (invalid bytes become U+FFFD). Allocates a new string on each call.</summary>
    public string GetValueString() => Encoding.UTF8.GetString(Value.Span);

    /// <summary>
    /// The key, value and sequence for logs and the debugger: each as quoted text when it is valid UTF-8 without
    /// control characters, as hex otherwise; long keys and values are cut short, with their length.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder("KeyValue { Key = ");
        BytesDisplay.Append(text, Key.Span);
        text.Append(", Value = ");
        BytesDisplay.Append(text, Value.Span);
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $", Sequence = {Sequence}");
        if (ExpiresAt is { } expires)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $", ExpiresAt = {expires:O}");
        }

        return text.Append(" }").ToString();
    }
}
