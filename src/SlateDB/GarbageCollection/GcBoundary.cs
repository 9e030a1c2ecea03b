using System.Globalization;
using System.Text;
using SlateDB.Storage;

namespace SlateDB.GarbageCollection;

/// <summary>
/// A GC boundary file (<c>gc/manifest.boundary</c>, <c>gc/compactions.boundary</c>; SlateDB RFC-0026): one ASCII
/// decimal id, an inclusive high-water mark of versions the collector may have deleted. Newer SlateDB writers that
/// create a version at or below it treat the write as lost, so a writer that stalled past the minimum age cannot
/// recreate a deleted version and take it for a win. SlateDB 0.12.1 never reads these files.
/// </summary>
internal static class GcBoundary
{
    private const int MaxAttempts = 20;

    /// <summary>Moves the boundary at <paramref name="path"/> up to at least <paramref name="boundary"/>; it never moves down.</summary>
    /// <exception cref="SlateDbException">
    /// Data: the file does not hold a number. Invalid: the store reports no object versions, so the file cannot be
    /// updated conditionally. Unavailable: other collectors kept changing it.
    /// </exception>
    public static async Task AdvanceAsync(IObjectStore store, string path, ulong boundary, CancellationToken cancellationToken)
    {
        var text = Encoding.ASCII.GetBytes(boundary.ToString(CultureInfo.InvariantCulture));
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await store.GetAsync(path, cancellationToken).ConfigureAwait(false);
            PutResult result;
            if (current is null)
            {
                result = await store.PutAsync(path, text, PutMode.Create, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (Parse(current.Data.Span, path) >= boundary)
                {
                    return;
                }

                var version = current.Metadata.Version
                    ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"The object store reports no version for '{path}', so the GC boundary cannot be advanced safely.");
                result = await store.PutAsync(path, text, PutMode.Update(version), cancellationToken).ConfigureAwait(false);
            }

            if (result.IsWritten)
            {
                return;
            }
        }

        throw new SlateDbException(SlateDbErrorKind.Unavailable, $"The GC boundary '{path}' kept changing while being advanced.");
    }

    /// <summary>Reads a boundary file's value; 0 when the file does not exist.</summary>
    public static async Task<ulong> ReadAsync(IObjectStore store, string path, CancellationToken cancellationToken)
    {
        var current = await store.GetAsync(path, cancellationToken).ConfigureAwait(false);
        return current is null ? 0 : Parse(current.Data.Span, path);
    }

    private static ulong Parse(ReadOnlySpan<byte> bytes, string path)
    {
        Span<char> chars = stackalloc char[32];
        var text = bytes.Length <= chars.Length && Ascii.IsValid(bytes) ? chars[..Encoding.ASCII.GetChars(bytes, chars)].Trim() : default;
        return !text.IsEmpty && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw SlateDbException.Corrupt(path, "a GC boundary file must hold one decimal number.");
    }
}
