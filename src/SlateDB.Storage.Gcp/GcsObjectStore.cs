using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google;
using Google.Cloud.Storage.V1;
using GcsObject = Google.Apis.Storage.v1.Data.Object;
using GcsRetryOptions = Google.Cloud.Storage.V1.RetryOptions;

namespace SlateDB.Storage.Gcp;

/// <summary>An <see cref="IObjectStore"/> on one Google Cloud Storage bucket, through Google.Cloud.Storage.V1.</summary>
/// <remarks>
/// <para>Versions are object generations (decimal strings): GCS gives every write of an object a new, larger one.
/// <see cref="PutMode.Create"/> uploads with <c>ifGenerationMatch=0</c> (412 reports <see cref="PutOutcome.AlreadyExists"/>);
/// <see cref="PutMode.Update(string)"/> uploads with <c>ifGenerationMatch=&lt;version&gt;</c> (412, or 404 when the object
/// is gone, reports <see cref="PutOutcome.VersionMismatch"/>; a version that is not a generation number never matches).
/// GCS checks the condition atomically when the upload completes.</para>
/// <para>Reads take the object's metadata first and then download exactly that generation (a range with
/// <see cref="DownloadValidationMode.Never"/>, since the CRC32C GCS sends covers the whole object; a whole read with
/// <see cref="DownloadValidationMode.Always"/>), so bytes and metadata always belong together; if the object is
/// replaced in between, the read starts over.</para>
/// <para>Failures: network errors, timeouts, 408, 429 and 5xx (except 501) throw <see cref="SlateDbException"/> of kind
/// <see cref="SlateDbErrorKind.Unavailable"/>, which <see cref="RetryingObjectStore"/> retries; refused credentials or
/// permissions (401, 403) and a missing bucket throw kind <see cref="SlateDbErrorKind.Invalid"/>; anything else kind
/// <see cref="SlateDbErrorKind.Internal"/>. The client's own retries are off (<see cref="GcsRetryOptions.Never"/>): a retry of
/// a conditional upload whose answer was lost would report a false conflict, which <see cref="RetryingObjectStore"/>
/// resolves.</para>
/// </remarks>
public sealed partial class GcsObjectStore : IObjectStore
{
    private const int MaxReadAttempts = 10;
    private const string ListFields = "items(name,size,updated,generation),nextPageToken";

    private readonly StorageClient _client;
    private readonly string _bucket;
    private readonly string _namePrefix;
    private readonly int? _listPageSize;
    private readonly string? _userProject;

    /// <summary>Creates a store on a client the caller built (its credentials, endpoint and timeouts apply).</summary>
    /// <param name="client">The client.</param>
    /// <param name="bucket">The bucket.</param>
    /// <param name="prefix">A name prefix under which all objects live; empty for none.</param>
    /// <param name="listPageSize">How many names one listing request asks for (1 to 1,000); null for the default.</param>
    /// <param name="userProject">The project billed for a requester-pays bucket; null for none.</param>
    /// <exception cref="ArgumentException">The bucket is empty or <paramref name="prefix"/> is not a valid path prefix.</exception>
    public GcsObjectStore(StorageClient client, string bucket, string prefix = "", int? listPageSize = null, string? userProject = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        ValidatePrefix(prefix, nameof(prefix));
        ValidatePageSize(listPageSize, nameof(listPageSize));
        _client = client;
        _bucket = bucket;
        var trimmed = prefix.Trim('/');
        _namePrefix = trimmed.Length == 0 ? "" : trimmed + "/";
        _listPageSize = listPageSize;
        _userProject = userProject;
    }

    /// <summary>Creates a store with its own client, built from <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid, or a credentials file cannot be read.</exception>
    public GcsObjectStore(GcsObjectStoreOptions options)
        : this(GcsCredentials.CreateClient(options), options.Bucket, options.Prefix, options.ListPageSize, options.UserProject)
    {
    }

    /// <summary>The client requests go through.</summary>
    public StorageClient Client => _client;

    /// <summary>The bucket.</summary>
    public string Bucket => _bucket;

    /// <summary>The name prefix in front of every path: empty, or ending with <c>/</c>.</summary>
    public string NamePrefix => _namePrefix;

    /// <inheritdoc/>
    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        return ReadAsync(path, range: null, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        return ReadAsync(path, range, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        var found = await GetObjectAsync(_namePrefix + path, cancellationToken).ConfigureAwait(false);
        return found is null ? null : ToMetadata(path, found);
    }

    /// <inheritdoc/>
    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        cancellationToken.ThrowIfCancellationRequested();
        var name = _namePrefix + path;
        // RejectAndThrow sends the CRC32C with the upload, so GCS refuses bytes that arrive damaged instead of storing them.
        var options = new UploadObjectOptions { UserProject = _userProject, UploadValidationMode = UploadValidationMode.RejectAndThrow };
        switch (mode.Kind)
        {
            case PutModeKind.Create:
                options.IfGenerationMatch = 0;
                break;
            case PutModeKind.Update:
                if (!TryParseGeneration(mode.ExpectedVersion, out var generation))
                {
                    // Not a generation this store ever handed out, so no object has it.
                    return PutResult.VersionMismatch;
                }

                options.IfGenerationMatch = generation;
                break;
        }

        try
        {
            // The client reads the bytes while the call runs and keeps no reference afterwards.
            using var source = OpenRead(data);
            var destination = new GcsObject { Bucket = _bucket, Name = name, ContentType = "application/octet-stream" };
            var written = await _client.UploadObjectAsync(destination, source, options, cancellationToken).ConfigureAwait(false);
            return PutResult.Written(FormatGeneration(written.Generation));
        }
        catch (GoogleApiException exception) when (mode.Kind == PutModeKind.Create && GcsErrors.IsPreconditionFailed(exception))
        {
            return PutResult.AlreadyExists;
        }
        catch (GoogleApiException exception) when (mode.Kind == PutModeKind.Update
            && (GcsErrors.IsPreconditionFailed(exception) || GcsErrors.IsObjectNotFound(exception)))
        {
            return PutResult.VersionMismatch;
        }
        catch (Exception exception) when (GcsErrors.ShouldWrap(exception, cancellationToken))
        {
            throw GcsErrors.Wrap(exception, "PUT", _bucket, name);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        var name = _namePrefix + path;
        try
        {
            var options = new DeleteObjectOptions { RetryOptions = GcsRetryOptions.Never, UserProject = _userProject };
            await _client.DeleteObjectAsync(_bucket, name, options, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException exception) when (GcsErrors.IsObjectNotFound(exception))
        {
            // Already absent.
        }
        catch (Exception exception) when (GcsErrors.ShouldWrap(exception, cancellationToken))
        {
            throw GcsErrors.Wrap(exception, "DELETE", _bucket, name);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectPath.ValidatePrefix(prefix);
        var namePrefix = _namePrefix + prefix;
        var options = new ListObjectsOptions
        {
            PageSize = _listPageSize,
            Fields = ListFields,
            RetryOptions = GcsRetryOptions.Never,
            UserProject = _userProject,
        };
        var pages = _client.ListObjectsAsync(_bucket, namePrefix, options).AsRawResponses().GetAsyncEnumerator(cancellationToken);
        await using (pages.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await pages.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception exception) when (GcsErrors.ShouldWrap(exception, cancellationToken))
                {
                    throw GcsErrors.Wrap(exception, "LIST", _bucket, namePrefix);
                }

                if (!more)
                {
                    yield break;
                }

                foreach (var item in pages.Current.Items ?? [])
                {
                    if (item.Name is not { } itemName || !itemName.StartsWith(_namePrefix, StringComparison.Ordinal) || itemName.Length == _namePrefix.Length)
                    {
                        continue;
                    }

                    yield return ToMetadata(itemName[_namePrefix.Length..], item);
                }
            }
        }
    }

    internal static void ValidatePrefix(string prefix, string paramName)
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        var trimmed = prefix.Trim('/');
        if (trimmed.Length > 0)
        {
            ObjectPath.ValidatePrefix(trimmed, paramName);
        }
    }

    internal static void ValidatePageSize(int? pageSize, string paramName)
    {
        if (pageSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, paramName);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 1_000, paramName);
        }
    }

    /// <summary>Parses a version this store handed out: a non-negative generation number.</summary>
    internal static bool TryParseGeneration(string? version, out long generation) =>
        long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out generation) && generation > 0;

    private static string? FormatGeneration(long? generation) => generation?.ToString(CultureInfo.InvariantCulture);

    private static ObjectMetadata ToMetadata(string path, GcsObject found) => new(
        path,
        (long)(found.Size ?? 0),
        found.UpdatedDateTimeOffset ?? found.TimeCreatedDateTimeOffset ?? DateTimeOffset.MinValue,
        FormatGeneration(found.Generation));

    private static MemoryStream OpenRead(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);

    private async ValueTask<GcsObject?> GetObjectAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var options = new GetObjectOptions { RetryOptions = GcsRetryOptions.Never, UserProject = _userProject };
            return await _client.GetObjectAsync(_bucket, name, options, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException exception) when (GcsErrors.IsObjectNotFound(exception))
        {
            return null;
        }
        catch (Exception exception) when (GcsErrors.ShouldWrap(exception, cancellationToken))
        {
            throw GcsErrors.Wrap(exception, "HEAD", _bucket, name);
        }
    }

    private async ValueTask<ObjectContent?> ReadAsync(string path, ByteRange? range, CancellationToken cancellationToken)
    {
        var name = _namePrefix + path;
        for (var attempt = 1; ; attempt++)
        {
            var found = await GetObjectAsync(name, cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                return null;
            }

            var metadata = ToMetadata(path, found);
            var start = range?.Offset ?? 0;
            var end = Math.Min(range?.End ?? metadata.Size, metadata.Size);
            if (end <= start)
            {
                // Nothing of the object lies in the range (or the object is empty): HTTP cannot ask for zero bytes.
                return new ObjectContent(ReadOnlyMemory<byte>.Empty, metadata);
            }

            var options = new DownloadObjectOptions
            {
                Generation = found.Generation,
                UserProject = _userProject,
                DownloadValidationMode = range is null ? DownloadValidationMode.Always : DownloadValidationMode.Never,
            };
            if (range is not null)
            {
                options.Range = new RangeHeaderValue(start, end - 1);
            }

            using var buffer = new MemoryStream((int)Math.Min(end - start, Array.MaxLength));
            try
            {
                await _client.DownloadObjectAsync(_bucket, name, buffer, options, cancellationToken).ConfigureAwait(false);
            }
            catch (GoogleApiException exception) when (GcsErrors.IsObjectNotFound(exception))
            {
                // That generation was replaced or deleted after its metadata was read: read the current one.
                if (attempt < MaxReadAttempts)
                {
                    continue;
                }

                throw new SlateDbException(SlateDbErrorKind.Unavailable,
                    $"GCS GET of '{_bucket}/{name}': the object was replaced {attempt} times while it was read.", exception);
            }
            catch (Exception exception) when (GcsErrors.ShouldWrap(exception, cancellationToken))
            {
                throw GcsErrors.Wrap(exception, "GET", _bucket, name);
            }

            if (buffer.Length != end - start)
            {
                throw new SlateDbException(SlateDbErrorKind.Unavailable,
                    $"GCS GET of '{_bucket}/{name}' returned {buffer.Length} bytes where {end - start} were expected.");
            }

            return new ObjectContent(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), metadata);
        }
    }
}
