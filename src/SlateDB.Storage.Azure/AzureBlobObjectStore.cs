using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace SlateDB.Storage.Azure;

/// <summary>An <see cref="IObjectStore"/> on one Azure Blob Storage container (or Azurite), through Azure.Storage.Blobs.</summary>
/// <remarks>
/// <para><see cref="PutMode.Create"/> uploads with <c>If-None-Match: *</c> (409 <c>BlobAlreadyExists</c> reports
/// <see cref="PutOutcome.AlreadyExists"/>); <see cref="PutMode.Update(string)"/> uploads with <c>If-Match</c>
/// (412 <c>ConditionNotMet</c>, or 404 when the blob is gone, reports <see cref="PutOutcome.VersionMismatch"/>). Blob
/// Storage applies both atomically, also for uploads large enough to be staged in blocks (the condition is checked on
/// the commit).</para>
/// <para>Versions are ETags in their quoted form; Azure gives every write a new one.</para>
/// <para>Failures: network errors, timeouts, 408, 429, 5xx (except 501) and codes such as <c>ServerBusy</c> throw
/// <see cref="SlateDbException"/> of kind <see cref="SlateDbErrorKind.Unavailable"/>, which
/// <see cref="RetryingObjectStore"/> retries; refused credentials or permissions (401, 403), a missing container and a
/// refused protocol (an API version the service does not know, as Azurite without <c>--skipApiVersionCheck</c>
/// answers, or an unsupported header) throw kind <see cref="SlateDbErrorKind.Invalid"/>, with what to check; anything
/// else kind <see cref="SlateDbErrorKind.Internal"/>.</para>
/// </remarks>
public sealed partial class AzureBlobObjectStore : IObjectStore
{
    private readonly BlobContainerClient _container;
    private readonly string _namePrefix;
    private readonly int? _listPageSize;

    /// <summary>Creates a store on a container client the caller built (its retry and timeout settings apply).</summary>
    /// <param name="container">The container.</param>
    /// <param name="prefix">A name prefix under which all blobs live; empty for none.</param>
    /// <param name="listPageSize">How many names one listing request asks for (1 to 5,000); null for the default.</param>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is not a valid path prefix.</exception>
    public AzureBlobObjectStore(BlobContainerClient container, string prefix = "", int? listPageSize = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ObjectPath.ValidateStorePrefix(prefix, nameof(prefix));
        ValidatePageSize(listPageSize, nameof(listPageSize));
        _container = container;
        var trimmed = prefix.Trim('/');
        _namePrefix = trimmed.Length == 0 ? "" : trimmed + "/";
        _listPageSize = listPageSize;
    }

    /// <summary>Creates a store with its own client, built from <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid.</exception>
    public AzureBlobObjectStore(AzureBlobObjectStoreOptions options)
        : this(CreateContainerClient(options), options.Prefix, options.ListPageSize)
    {
    }

    /// <summary>The container client requests go through.</summary>
    public BlobContainerClient Container => _container;

    /// <summary>The name prefix in front of every path: empty, or ending with <c>/</c>.</summary>
    public string NamePrefix => _namePrefix;

    /// <inheritdoc/>
    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        return ReadAsync(path, range: null, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        if (range.Length == 0)
        {
            // HTTP cannot ask for zero bytes; the blob's metadata is all there is to return.
            var metadata = await HeadAsync(path, cancellationToken).ConfigureAwait(false);
            return metadata is null ? null : new ObjectContent(ReadOnlyMemory<byte>.Empty, metadata);
        }

        return await ReadAsync(path, range, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        var name = _namePrefix + path;
        try
        {
            var response = await _container.GetBlobClient(name).GetPropertiesAsync(conditions: null, cancellationToken).ConfigureAwait(false);
            var properties = response.Value;
            return new ObjectMetadata(path, properties.ContentLength, properties.LastModified, AzureETag.Normalize(properties.ETag));
        }
        catch (RequestFailedException exception) when (AzureErrors.IsBlobNotFound(exception))
        {
            return null;
        }
        catch (Exception exception) when (AzureErrors.ShouldWrap(exception, cancellationToken))
        {
            throw AzureErrors.Wrap(exception, "HEAD", _container.Name, name);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        var name = _namePrefix + path;
        var options = new BlobUploadOptions
        {
            Conditions = mode.Kind switch
            {
                PutModeKind.Create => new BlobRequestConditions { IfNoneMatch = ETag.All },
                PutModeKind.Update => new BlobRequestConditions { IfMatch = new ETag(AzureETag.Normalize(mode.ExpectedVersion!)!) },
                _ => null,
            },
        };
        try
        {
            // The SDK reads the bytes while the call runs and keeps no reference afterwards.
            var response = await _container.GetBlobClient(name).UploadAsync(new BinaryData(data), options, cancellationToken).ConfigureAwait(false);
            return PutResult.Written(AzureETag.Normalize(response.Value.ETag));
        }
        catch (RequestFailedException exception) when (mode.Kind == PutModeKind.Create && AzureErrors.IsExistingBlob(exception))
        {
            return PutResult.AlreadyExists;
        }
        catch (RequestFailedException exception) when (mode.Kind == PutModeKind.Update && AzureErrors.IsVersionMismatch(exception))
        {
            return PutResult.VersionMismatch;
        }
        catch (Exception exception) when (AzureErrors.ShouldWrap(exception, cancellationToken))
        {
            throw AzureErrors.Wrap(exception, "PUT", _container.Name, name);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        var name = _namePrefix + path;
        try
        {
            await _container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (AzureErrors.ShouldWrap(exception, cancellationToken))
        {
            throw AzureErrors.Wrap(exception, "DELETE", _container.Name, name);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectPath.ValidatePrefix(prefix);
        var namePrefix = _namePrefix + prefix;
        string? continuation = null;
        do
        {
            var page = await ListPageAsync(namePrefix, continuation, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Values)
            {
                if (!item.Name.StartsWith(_namePrefix, StringComparison.Ordinal) || item.Name.Length == _namePrefix.Length)
                {
                    continue;
                }

                var properties = item.Properties;
                yield return new ObjectMetadata(
                    item.Name[_namePrefix.Length..],
                    properties.ContentLength ?? 0,
                    properties.LastModified ?? DateTimeOffset.UnixEpoch,
                    AzureETag.Normalize(properties.ETag));
            }

            continuation = string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken;
        }
        while (continuation is not null);
    }

    /// <inheritdoc/>
    public override string ToString() => $"az://{_container.Name}/{_namePrefix}";

    internal static void ValidatePageSize(int? pageSize, string paramName)
    {
        if (pageSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, paramName);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 5_000, paramName);
        }
    }

    private async ValueTask<Page<BlobItem>> ListPageAsync(string namePrefix, string? continuation, CancellationToken cancellationToken)
    {
        try
        {
            var pages = _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, namePrefix, cancellationToken).AsPages(continuation, _listPageSize);
            await foreach (var page in pages.ConfigureAwait(false))
            {
                return page;
            }

            throw new SlateDbException(SlateDbErrorKind.Internal, $"Azure LIST of '{_container.Name}/{namePrefix}' returned no page.");
        }
        catch (Exception exception) when (AzureErrors.ShouldWrap(exception, cancellationToken))
        {
            throw AzureErrors.Wrap(exception, "LIST", _container.Name, namePrefix);
        }
    }

    private async ValueTask<ObjectContent?> ReadAsync(string path, ByteRange? range, CancellationToken cancellationToken)
    {
        var name = _namePrefix + path;
        var options = new BlobDownloadOptions();
        if (range is { } r)
        {
            options.Range = new HttpRange(r.Offset, r.Length);
        }

        try
        {
            var response = await _container.GetBlobClient(name).DownloadContentAsync(options, cancellationToken).ConfigureAwait(false);
            var details = response.Value.Details;
            var data = response.Value.Content.ToMemory();
            var metadata = new ObjectMetadata(path, data.Length, details.LastModified, AzureETag.Normalize(details.ETag));
            if (range is not { } asked)
            {
                return new ObjectContent(data, metadata);
            }

            if (TryParseTotalSize(details.ContentRange, out var total))
            {
                return new ObjectContent(data, metadata with { Size = total });
            }

            // No Content-Range: the whole blob came back; cut the range out here.
            var cut = asked.ClipTo(data.Length);
            return new ObjectContent(data.Slice((int)cut.Offset, (int)cut.Length), metadata);
        }
        catch (RequestFailedException exception) when (AzureErrors.IsBlobNotFound(exception))
        {
            return null;
        }
        catch (RequestFailedException exception) when (exception.Status == 416)
        {
            // The range starts at or past the end (or the blob is empty): no bytes, and the metadata from a HEAD.
            var metadata = await HeadAsync(path, cancellationToken).ConfigureAwait(false);
            return metadata is null ? null : new ObjectContent(ReadOnlyMemory<byte>.Empty, metadata);
        }
        catch (Exception exception) when (AzureErrors.ShouldWrap(exception, cancellationToken))
        {
            throw AzureErrors.Wrap(exception, "GET", _container.Name, name);
        }
    }

    /// <summary>Reads the blob's full size from a <c>Content-Range: bytes first-last/total</c> header.</summary>
    internal static bool TryParseTotalSize(string? contentRange, out long total)
    {
        total = 0;
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0
            && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out total);
    }
}
