using System.Runtime.InteropServices;
using Google.FlatBuffers;

namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// The one way metadata decoders read stored bytes: verify the buffer against its schema first, then read it, and
/// turn every failure into <see cref="SlateDbException.Corrupt"/> naming the object.
/// </summary>
internal static class FlatBufferInput
{
    /// <summary>
    /// Runs <paramref name="decode"/>; a <see cref="FormatException"/> it throws (the decoders' own complaints) or any
    /// exception the FlatBuffers runtime could throw on bad bytes becomes a corrupt-data error for <paramref name="objectName"/>.
    /// </summary>
    public static T Decode<T>(string objectName, string what, Func<T> decode)
    {
        ArgumentNullException.ThrowIfNull(decode);
        try
        {
            return decode();
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentException
            or InvalidOperationException or OverflowException or InvalidCastException or NullReferenceException)
        {
            throw SlateDbException.Corrupt(objectName, $"cannot decode {what}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Verifies that <paramref name="payload"/> holds a <paramref name="root"/> table and returns a buffer positioned at
    /// its start, ready for the generated <c>GetRootAs…</c> accessor.
    /// </summary>
    /// <remarks>
    /// <paramref name="requireCoverage"/>: every byte the schema does not reach must be zero padding (for metadata
    /// without a checksum, see <see cref="FlatBufferVerifier"/>).
    /// </remarks>
    /// <exception cref="FormatException">The bytes are not a well-formed <paramref name="root"/>.</exception>
    public static ByteBuffer Open(ReadOnlyMemory<byte> payload, FbTable root, bool requireCoverage = false)
    {
        Verify(payload.Span, root, requireCoverage);
        return MemoryMarshal.TryGetArray(payload, out var segment) && segment.Array is not null
            ? new ByteBuffer(segment.Array, segment.Offset)
            : new ByteBuffer(payload.ToArray());
    }

    /// <summary>Verifies that <paramref name="payload"/> holds a <paramref name="root"/> table (see <see cref="Open"/>).</summary>
    /// <exception cref="FormatException">The bytes are not a well-formed <paramref name="root"/>.</exception>
    public static void Verify(ReadOnlySpan<byte> payload, FbTable root, bool requireCoverage = false)
    {
        var error = FlatBufferVerifier.Verify(payload, root, requireCoverage);
        if (error is not null)
        {
            throw new FormatException($"not a valid {root.Name} flatbuffer: {error}");
        }
    }

    /// <summary>Copies a byte vector read by a generated accessor (null: the field is absent).</summary>
    public static byte[]? CopyBytes(ArraySegment<byte>? bytes) => bytes is { } segment ? segment.AsSpan().ToArray() : null;

    /// <summary>
    /// Copies an optional byte vector into an optional memory: absent stays null (a null array converted to
    /// <see cref="ReadOnlyMemory{T}"/> would turn into a present, empty value).
    /// </summary>
    public static ReadOnlyMemory<byte>? CopyOptionalBytes(ArraySegment<byte>? bytes)
        => bytes is { } segment ? segment.AsSpan().ToArray() : default(ReadOnlyMemory<byte>?);
}
