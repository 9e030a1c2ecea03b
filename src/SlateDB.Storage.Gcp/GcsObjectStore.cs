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
/// <para>Reads fetch the object's metadata and its bytes side by side and keep them only when the generation of the
/// bytes (<c>x-goog-generation</c>) is that of the metadata, so bytes and metadata always belong together; if the
/// object changed in between, the read starts over. A range is downloaded with
/// <see cref="DownloadValidationMode.Never"/>, since the CRC32C GCS sends describes the whole object; a whole object with
/// <see cref="DownloadValidationMode.Always"/>.</para>
/// <para>Failures: network errors, timeouts, 408, 429 and 5xx (except 501) throw <see cref="SlateDbException"/> of kind
/// <see cref="SlateDbErrorKind.Unavailable"/>, which <see cref="RetryingObjectStore"/> retries; refused credentials or
/// permissions (401, 403) and a missing bucket throw kind <see cref="SlateDbErrorKind.Invalid"/>; anything else kind
/// <see cref="SlateDbErrorKind.Internal"/>. The client's own retries are off (<see cref="GcsRetryOptions.Never"/>): a retry of
/// a conditional upload whose answer was lost would report a false conflict, which <see cref="RetryingObjectStore"/>
/// resolves.</para>
/// </remarks>
public sealed partial class GcsObjectStore : IObjectStore
{
    // Only an object overwritten without pause changes between the two requests of every attempt.
    private const int MaxReadAttempts = 100;

    /// <summary>
    /// The largest range whose buffer is taken at its full size before the download: the engine's reads (blocks,
    /// read-ahead, 2 MiB compaction reads, 4 MiB tails) are smaller; a larger range, which may reach far past a small
    /// object's end, grows its buffer as the bytes arrive.
    /// </summary>
    private const long PresizedRangeBytes = 8L * 1024 * 1024;
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
        ObjectPath.ValidateStorePrefix(prefix, nameof(prefix));
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
                    // Not a generation this store ever handed out, so no object has it. The bucket is still asked
                    // about the object, so that an unreachable or refused store fails here as it would for any put.
                    await GetObjectAsync(name, cancellationToken).ConfigureAwait(false);
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

    private ValueTask<ObjectContent?> ReadAsync(string path, ByteRange? range, CancellationToken cancellationToken)
        => ReadAsync(path, range, destination: null, cancellationToken);

    /// <summary>
    /// Reads the object or a range of it. With a <paramref name="destination"/> the bytes are downloaded into it
    /// (the returned content's data is then its start, unless the server sent more than the range: see
    /// <see cref="BufferStream"/>); without one, into a buffer of their own.
    /// </summary>
    private async ValueTask<ObjectContent?> ReadAsync(string path, ByteRange? range, Memory<byte>? destination, CancellationToken cancellationToken)
    {
        var name = _namePrefix + path;
        if (range is { Length: 0 })
        {
            // HTTP cannot ask for zero bytes; the object's metadata is all there is to return.
            var found = await GetObjectAsync(name, cancellationToken).ConfigureAwait(false);
            return found is null ? null : new ObjectContent(ReadOnlyMemory<byte>.Empty, ToMetadata(path, found));
        }

        for (var attempt = 1; ; attempt++)
        {
            // The metadata and the bytes are fetched side by side; they belong together when their generations agree.
            var metadataTask = GetObjectAsync(name, cancellationToken).AsTask();
            var download = await DownloadAsync(name, range, destination, metadataTask, cancellationToken).ConfigureAwait(false);
            var found = await metadataTask.ConfigureAwait(false);
            if (found is null)
            {
                return null;
            }

            var metadata = ToMetadata(path, found);
            if (download.RangeNotSatisfiable && metadata.Size <= range!.Value.Offset)
            {
                return new ObjectContent(ReadOnlyMemory<byte>.Empty, metadata);
            }

            if (download.Generation is { } generation && generation == found.Generation)
            {
                var data = download.Data;
                var expected = range is { } r ? Math.Max(0, Math.Min(r.End, metadata.Size) - r.Offset) : metadata.Size;
                if (range is { } asked && data.Length != expected && data.Length == metadata.Size)
                {
                    // The server ignored the Range header (HTTP allows it; some emulators do): cut the range out here.
                    var start = (int)Math.Min(asked.Offset, metadata.Size);
                    data = data[start..(int)(start + expected)];
                }

                if (data.Length != expected)
                {
                    throw new SlateDbException(SlateDbErrorKind.Unavailable,
                        $"GCS GET of '{_bucket}/{name}' returned {data.Length} bytes where {expected} were expected.");
                }

                return new ObjectContent(data, metadata);
            }

            // The object was created, replaced or deleted between the two requests: read it again.
            if (attempt == MaxReadAttempts)
            {
                throw new SlateDbException(SlateDbErrorKind.Unavailable,
                    $"GCS GET of '{_bucket}/{name}': the object changed during each of {attempt} reads.");
            }
        }
    }

    /// <summary>Downloads the object (or a range of it); a failure other than 404 and 416 throws once <paramref name="sibling"/> is done.</summary>
    private async ValueTask<Download> DownloadAsync(string name, ByteRange? range, Memory<byte>? destination, Task sibling, CancellationToken cancellationToken)
    {
        var options = new DownloadObjectOptions
        {
            UserProject = _userProject,
            // The CRC32C GCS sends describes the whole object, so only a whole read can be checked against it.
            DownloadValidationMode = range is null ? DownloadValidationMode.Always : DownloadValidationMode.Never,
        };
        if (range is { } r)
        {
            options.Range = new RangeHeaderValue(r.Offset, r.End - 1);
        }

        // A range's size is known in advance: its buffer (or the caller's destination) is taken at that size at once
        // rather than grown by doubling (up to a limit: a range may reach far past the object's end).
        using var buffer = new BufferStream(destination ?? (range is { Length: <= PresizedRangeBytes } sized ? new byte[sized.Length] : Memory<byte>.Empty));
        try
        {
            var downloaded = await _client.DownloadObjectAsync(_bucket, name, buffer, options, cancellationToken).ConfigureAwait(false);
            return new Download(buffer.Written, downloaded?.Generation, RangeNotSatisfiable: false);
        }
        catch (GoogleApiException exception) when (GcsErrors.IsObjectNotFound(exception))
        {
            return new Download(ReadOnlyMemory<byte>.Empty, Generation: null, RangeNotSatisfiable: false);
        }
        catch (GoogleApiException exception) when (GcsErrors.IsRangeNotSatisfiable(exception))
        {
            return new Download(ReadOnlyMemory<byte>.Empty, Generation: null, RangeNotSatisfiable: true);
        }
        catch (Exception exception) when (GcsErrors.ShouldWrap(exception, cancellationToken))
        {
            await ObserveAsync(sibling).ConfigureAwait(false);
            throw GcsErrors.Wrap(exception, "GET", _bucket, name);
        }
        catch (OperationCanceledException)
        {
            await ObserveAsync(sibling).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits for a task whose outcome no longer matters, observing its failure so that it is not reported as unobserved.</summary>
    private static async ValueTask ObserveAsync(Task task)
    {
        await Task.WhenAny(task).ConfigureAwait(false);
        _ = task.Exception;
    }

    /// <summary>What one download brought: the bytes, the generation they belong to (null if none), and whether the range was past the end.</summary>
    private readonly record struct Download(ReadOnlyMemory<byte> Data, long? Generation, bool RangeNotSatisfiable);
}
