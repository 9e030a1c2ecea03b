using System.Globalization;
using System.Text;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>The objects, their preconditions, reads, listing and deletes (the class remarks say what is emulated).</summary>
internal sealed partial class GcsTestServer
{
    private const int DefaultPageSize = 1000;

    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, StoredObject>> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly string? _bearerToken;

    // GCS generations are microsecond timestamps; any increasing sequence behaves the same for a client.
    private long _lastGeneration = 1_733_000_000_000_000;

    /// <summary>One live object generation.</summary>
    private sealed record StoredObject(string Bucket, string Name, long Generation, byte[] Data, string ContentType, DateTimeOffset Created)
    {
        public string Crc32C { get; } = GcsCrc32C.Base64(Data);

        public string Md5 { get; } = GcsMd5.Base64(Data);

        public string ToJson() => string.Create(CultureInfo.InvariantCulture, $$"""
            {"kind":"storage#object","id":{{GcsJson.Quote($"{Bucket}/{Name}/{Generation}")}},"name":{{GcsJson.Quote(Name)}},"bucket":{{GcsJson.Quote(Bucket)}},"generation":"{{Generation}}","metageneration":"1","contentType":{{GcsJson.Quote(ContentType)}},"storageClass":"STANDARD","size":"{{Data.Length}}","md5Hash":"{{Md5}}","crc32c":"{{Crc32C}}","etag":"{{ETag}}","timeCreated":"{{GcsJson.Time(Created)}}","updated":"{{GcsJson.Time(Created)}}","timeStorageClassUpdated":"{{GcsJson.Time(Created)}}"}
            """);

        public string ETag => Convert.ToBase64String(BitConverter.GetBytes(Generation)).TrimEnd('=');
    }

    /// <summary>Orders names by their UTF-8 bytes, as GCS lists them.</summary>
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }

    private GcsResponse Serve(GcsRequest request)
    {
        if (_bearerToken is not null && request.Header("Authorization") != "Bearer " + _bearerToken)
        {
            return request.Header("Authorization") is null
                ? GcsResponse.Error(401, "required", "Anonymous caller does not have storage.objects access to the Google Cloud Storage object.")
                : GcsResponse.Error(401, "authError", "Invalid Credentials");
        }

        if (request.Param("uploadType") == "multipart")
        {
            return GcsResponse.Error(400, "invalid", "uploadType=multipart is not emulated by this test server.");
        }

        var segments = request.RawPath.Split('/');
        // /storage/v1/b/{bucket}/o[/{object}], /download/storage/v1/b/{bucket}/o/{object}, /upload/storage/v1/b/{bucket}/o
        var offset = segments is [_, "download" or "upload", ..] ? 1 : 0;
        if (segments.Length < 6 + offset || segments[1 + offset] != "storage" || segments[2 + offset] != "v1" || segments[3 + offset] != "b" || segments[5 + offset] != "o")
        {
            return GcsResponse.Error(404, "notFound", $"Not Found: {request.Method} {request.RawPath}");
        }

        var bucket = Uri.UnescapeDataString(segments[4 + offset]);
        var objectName = segments.Length > 6 + offset ? Uri.UnescapeDataString(string.Join('/', segments[(6 + offset)..])) : null;
        lock (_gate)
        {
            if (!_buckets.TryGetValue(bucket, out var objects))
            {
                return GcsResponse.Error(404, "notFound", "The specified bucket does not exist.");
            }

            return (segments[1], request.Method, objectName) switch
            {
                ("upload", "POST", null) => StartUpload(request, bucket, objects),
                ("upload", "PUT", null) => ContinueUpload(request, bucket, objects),
                ("storage" or "download", "GET", { } name) => Read(request, objects, name),
                ("storage", "GET", null) => List(request, objects),
                ("storage", "DELETE", { } name) => Delete(request, objects, name),
                _ => GcsResponse.Error(405, "methodNotAllowed", $"{request.Method} {request.RawPath} is not emulated by this test server."),
            };
        }
    }

    private GcsResponse Read(GcsRequest request, SortedDictionary<string, StoredObject> objects, string name)
    {
        var found = objects.GetValueOrDefault(name);
        if (CheckObject(request, found, name, forWrite: false) is { } refused)
        {
            return refused;
        }

        var stored = found!;
        if (request.Param("alt") is null or "json")
        {
            return GcsResponse.Json(200, stored.ToJson());
        }

        if (request.Param("alt") != "media")
        {
            return GcsResponse.Error(400, "invalidParameter", $"Invalid value for alt: {request.Param("alt")}");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = stored.ContentType,
            ["x-goog-generation"] = stored.Generation.ToString(CultureInfo.InvariantCulture),
            ["x-goog-metageneration"] = "1",
            ["x-goog-stored-content-length"] = stored.Data.Length.ToString(CultureInfo.InvariantCulture),
            ["x-goog-hash"] = $"crc32c={stored.Crc32C},md5={stored.Md5}",
            ["ETag"] = stored.ETag,
            ["Accept-Ranges"] = "bytes",
        };
        if (request.Header("Range") is not { } rangeHeader || ParseRange(rangeHeader, stored.Data.Length) is not { } range)
        {
            return new GcsResponse(200, stored.Data, headers);
        }

        var (first, last) = range;
        if (first >= stored.Data.Length)
        {
            headers["Content-Range"] = $"bytes */{stored.Data.Length}";
            return GcsResponse.Error(416, "requestedRangeNotSatisfiable", "The requested range cannot be satisfied.") with { Headers = headers };
        }

        headers["Content-Range"] = string.Create(CultureInfo.InvariantCulture, $"bytes {first}-{last}/{stored.Data.Length}");
        return new GcsResponse(206, stored.Data[(int)first..(int)(last + 1)], headers);
    }

    /// <summary>One <c>bytes=</c> range as (first, last) with last clamped to the object; null to serve the whole object.</summary>
    private static (long First, long Last)? ParseRange(string header, long size)
    {
        if (!header.StartsWith("bytes=", StringComparison.Ordinal) || header.Contains(',', StringComparison.Ordinal))
        {
            // Not a single byte range: HTTP lets a server ignore it.
            return null;
        }

        var spec = header["bytes=".Length..];
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }

        if (dash == 0)
        {
            var suffix = long.Parse(spec[1..], NumberStyles.None, CultureInfo.InvariantCulture);
            return (Math.Max(0, size - suffix), size - 1);
        }

        var first = long.Parse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
        var last = dash == spec.Length - 1 ? size - 1 : long.Parse(spec[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        return last < first ? null : (first, Math.Min(last, size - 1));
    }

    private GcsResponse List(GcsRequest request, SortedDictionary<string, StoredObject> objects)
    {
        var prefix = request.Param("prefix") ?? "";
        var delimiter = request.Param("delimiter");
        var pageSize = DefaultPageSize;
        if (request.Param("maxResults") is { } maxResults
            && (!int.TryParse(maxResults, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1 || pageSize > DefaultPageSize))
        {
            // GCS caps larger values at 1,000; a value that is not a positive number is an error.
            if (pageSize > DefaultPageSize)
            {
                pageSize = DefaultPageSize;
            }
            else
            {
                return GcsResponse.Error(400, "invalid", $"Invalid value for maxResults: {maxResults}");
            }
        }

        string? after = null;
        if (request.Param("pageToken") is { Length: > 0 } token)
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                return GcsResponse.Error(400, "invalid", "Invalid page token.");
            }
        }

        var startOffset = request.Param("startOffset");
        var endOffset = request.Param("endOffset");
        var items = new List<string>();
        var prefixes = new SortedSet<string>(Utf8Order.Instance);
        string? last = null;
        var more = false;
        foreach (var (name, stored) in objects)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)
                || (after is not null && Utf8Order.Instance.Compare(name, after) <= 0)
                || (startOffset is not null && Utf8Order.Instance.Compare(name, startOffset) < 0)
                || (endOffset is not null && Utf8Order.Instance.Compare(name, endOffset) >= 0))
            {
                continue;
            }

            if (items.Count + prefixes.Count == pageSize)
            {
                more = true;
                break;
            }

            var cut = delimiter is { Length: > 0 } ? name.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal) : -1;
            if (cut >= 0)
            {
                prefixes.Add(name[..(cut + delimiter!.Length)]);
            }
            else
            {
                items.Add(stored.ToJson());
            }

            last = name;
        }

        var json = new StringBuilder("{\"kind\":\"storage#objects\"");
        if (more && last is not null)
        {
            json.Append(",\"nextPageToken\":").Append(GcsJson.Quote(Convert.ToBase64String(Encoding.UTF8.GetBytes(last))));
        }

        if (prefixes.Count > 0)
        {
            json.Append(",\"prefixes\":[").AppendJoin(',', prefixes.Select(GcsJson.Quote)).Append(']');
        }

        if (items.Count > 0)
        {
            json.Append(",\"items\":[").AppendJoin(',', items).Append(']');
        }

        return GcsResponse.Json(200, json.Append('}').ToString());
    }

    private GcsResponse Delete(GcsRequest request, SortedDictionary<string, StoredObject> objects, string name)
    {
        var found = objects.GetValueOrDefault(name);
        if (CheckObject(request, found, name, forWrite: false) is { } refused)
        {
            return refused;
        }

        objects.Remove(name);
        return GcsResponse.Empty(204);
    }

    /// <summary>
    /// Applies <c>generation</c> and the preconditions to the live object (null when absent). Reads and deletes of an
    /// absent object are 404; a write's precondition on an absent object is 412 unless it is <c>ifGenerationMatch=0</c>.
    /// </summary>
    private static GcsResponse? CheckObject(GcsRequest request, StoredObject? found, string name, bool forWrite)
    {
        long? Number(string parameter) => request.Param(parameter) is { } text
            ? long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1
            : null;

        foreach (var parameter in (ReadOnlySpan<string>)["generation", "ifGenerationMatch", "ifGenerationNotMatch", "ifMetagenerationMatch", "ifMetagenerationNotMatch"])
        {
            if (Number(parameter) == -1)
            {
                return GcsResponse.Error(400, "invalid", $"Invalid value for {parameter}: {request.Param(parameter)}");
            }
        }

        if (!forWrite && (found is null || (Number("generation") is { } generation && generation != found.Generation)))
        {
            return GcsResponse.Error(404, "notFound", $"No such object: {name}");
        }

        var current = found?.Generation ?? 0;
        var holds = (Number("ifGenerationMatch") is not { } match || match == current)
            && (Number("ifGenerationNotMatch") is not { } notMatch || notMatch != current)
            && (Number("ifMetagenerationMatch") is not { } metaMatch || (found is not null && metaMatch == 1))
            && (Number("ifMetagenerationNotMatch") is not { } metaNotMatch || (found is not null && metaNotMatch != 1));
        return holds ? null : GcsResponse.Error(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
    }

    private long NextGeneration() => Interlocked.Increment(ref _lastGeneration);
}
