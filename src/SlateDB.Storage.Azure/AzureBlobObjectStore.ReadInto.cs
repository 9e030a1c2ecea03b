using Azure;
using Azure.Storage.Blobs.Models;

namespace SlateDB.Storage.Azure;

/// <summary>Ranged reads into a caller's buffer (<see cref="IRangeReadInto"/>): the body is streamed straight into it.</summary>
public sealed partial class AzureBlobObjectStore : IRangeReadInto
{
    /// <inheritdoc/>
    bool IRangeReadInto.CanReadInto => true;

    /// <inheritdoc/>
    async ValueTask<int> IRangeReadInto.ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        IRangeReadInto.CheckArguments(path, range, destination);

        if (range.Length == 0)
        {
            // HTTP cannot ask for zero bytes: whether the blob exists is all there is to answer.
            return await HeadAsync(path, cancellationToken).ConfigureAwait(false) is null ? -1 : 0;
        }

        var name = _namePrefix + path;
        var options = new BlobDownloadOptions { Range = new HttpRange(range.Offset, range.Length) };
        long announced;
        try
        {
            var response = await _container.GetBlobClient(name).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
            using var result = response.Value;
            if (!TryParseTotalSize(result.Details.ContentRange, out _))
            {
                // No Content-Range: the whole blob came back; cut the range out of it.
                using var whole = new MemoryStream();
                await result.Content.CopyToAsync(whole, cancellationToken).ConfigureAwait(false);
                var cut = range.ClipTo(whole.Length);
                whole.GetBuffer().AsSpan((int)cut.Offset, (int)cut.Length).CopyTo(destination.Span);
                return (int)cut.Length;
            }

            announced = result.Details.ContentLength;
            if (announced >= 0 && announced <= range.Length)
            {
                // A body cut short throws EndOfStreamException, an IOException: transient.
                await result.Content.ReadExactlyAsync(destination[..(int)announced], cancellationToken).ConfigureAwait(false);
                return (int)announced;
            }
        }
        catch (RequestFailedException exception) when (AzureErrors.IsBlobNotFound(exception))
        {
            return -1;
        }
        catch (RequestFailedException exception) when (exception.Status == 416)
        {
            // The range starts at or past the end (or the blob is empty): no bytes, if the blob exists.
            return await HeadAsync(path, cancellationToken).ConfigureAwait(false) is null ? -1 : 0;
        }
        catch (Exception exception) when (AzureErrors.ShouldWrap(exception, cancellationToken))
        {
            throw AzureErrors.Wrap(exception, "GET", _container.Name, name);
        }

        throw new SlateDbException(SlateDbErrorKind.Unavailable,
            $"Azure GET of '{_container.Name}/{name}' announced {announced} bytes for a range of {range.Length}.");
    }
}
