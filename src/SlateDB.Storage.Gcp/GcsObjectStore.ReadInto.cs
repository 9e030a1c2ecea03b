using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SlateDB.Storage.Gcp;

/// <summary>Ranged reads into a caller's buffer (<see cref="IRangeReadInto"/>): the download is written straight into it.</summary>
public sealed partial class GcsObjectStore : IRangeReadInto
{
    /// <inheritdoc/>
    bool IRangeReadInto.CanReadInto => true;

    /// <inheritdoc/>
    async ValueTask<int> IRangeReadInto.ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        IRangeReadInto.CheckArguments(path, range, destination);

        if (await ReadAsync(path, range, destination, cancellationToken).ConfigureAwait(false) is not { } content)
        {
            return -1;
        }

        // The bytes are already at the destination's start, unless the server sent the whole object (cut down to the
        // range in a buffer of its own): copy them there then.
        var data = content.Data.Span;
        if (!data.IsEmpty && !Unsafe.AreSame(ref MemoryMarshal.GetReference(data), ref MemoryMarshal.GetReference(destination.Span)))
        {
            data.CopyTo(destination.Span);
        }

        return data.Length;
    }
}
