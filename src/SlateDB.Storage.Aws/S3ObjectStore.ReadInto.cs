using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace SlateDB.Storage.Aws;

/// <summary>Ranged reads into a caller's buffer (<see cref="IRangeReadInto"/>): the body is read straight into it.</summary>
public sealed partial class S3ObjectStore : IRangeReadInto
{
    /// <inheritdoc/>
    bool IRangeReadInto.CanReadInto => true;

    /// <inheritdoc/>
    async ValueTask<int> IRangeReadInto.ReadRangeIntoAsync(string path, SlateDB.Storage.ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        IRangeReadInto.CheckArguments(path, range, destination);

        if (range.Length == 0)
        {
            // HTTP cannot ask for zero bytes: whether the object exists is all there is to answer.
            return await HeadAsync(path, cancellationToken).ConfigureAwait(false) is null ? -1 : 0;
        }

        var key = _keyPrefix + path;
        var request = new GetObjectRequest { BucketName = _bucket, Key = key, ByteRange = new Amazon.S3.Model.ByteRange(range.Offset, range.End - 1) };
        long announced;
        try
        {
            using var response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            if (!TryParseTotalSize(response.ContentRange, out _))
            {
                // No Content-Range: the service ignored the range and sent the whole object; cut the range out of it.
                var whole = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
                var cut = range.ClipTo(whole.Length);
                whole.AsSpan((int)cut.Offset, (int)cut.Length).CopyTo(destination.Span);
                return (int)cut.Length;
            }

            announced = response.ContentLength;
            if (announced >= 0 && announced <= range.Length)
            {
                // A body cut short throws EndOfStreamException, an IOException: transient.
                await response.ResponseStream.ReadExactlyAsync(destination[..(int)announced], cancellationToken).ConfigureAwait(false);
                return (int)announced;
            }
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
            return -1;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The range starts at or past the end (or the object is empty): no bytes, if the object exists.
            return await HeadAsync(path, cancellationToken).ConfigureAwait(false) is null ? -1 : 0;
        }
        catch (Exception exception) when (S3Errors.ShouldWrap(exception, cancellationToken))
        {
            throw S3Errors.Wrap(exception, "GET", _bucket, key);
        }

        throw new SlateDbException(SlateDbErrorKind.Unavailable,
            $"S3 GET of '{_bucket}/{key}' announced {announced} bytes for a range of {range.Length}.");
    }
}
