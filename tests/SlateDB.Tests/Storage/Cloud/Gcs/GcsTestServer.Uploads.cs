using System.Globalization;
using System.Text.Json;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>Resumable and single-request media uploads, with their preconditions checked atomically on the final byte.</summary>
internal sealed partial class GcsTestServer
{
    private readonly Dictionary<string, UploadSession> _sessions = new(StringComparer.Ordinal);
    private long _lastSession;

    /// <summary>A resumable upload: where it goes, its conditions (the query of the request that started it), the bytes so far.</summary>
    private sealed class UploadSession(string bucket, string name, string contentType, GcsRequest start)
    {
        public string Bucket { get; } = bucket;

        public string Name { get; } = name;

        public string ContentType { get; } = contentType;

        public GcsRequest Start { get; } = start;

        public MemoryStream Received { get; } = new();

        /// <summary>The answer to the final request once the upload completed or failed; later requests get it again.</summary>
        public GcsResponse? Outcome { get; set; }
    }

    private GcsResponse StartUpload(GcsRequest request, string bucket, SortedDictionary<string, StoredObject> objects)
    {
        string? name = request.Param("name");
        var contentType = "application/octet-stream";
        var resumable = request.Param("uploadType") == "resumable";
        if (resumable && request.Body.Length > 0)
        {
            // The session-starting request may carry the object's metadata (a media upload's body is its content).
            try
            {
                using var metadata = JsonDocument.Parse(request.Body);
                if (metadata.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return GcsResponse.Error(400, "parseError", "Parse Error");
                }

                if (metadata.RootElement.TryGetProperty("name", out var bodyName) && bodyName.ValueKind == JsonValueKind.String)
                {
                    name = bodyName.GetString();
                }

                if (metadata.RootElement.TryGetProperty("contentType", out var type) && type.ValueKind == JsonValueKind.String)
                {
                    contentType = type.GetString()!;
                }
            }
            catch (JsonException)
            {
                return GcsResponse.Error(400, "parseError", "Parse Error");
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            return GcsResponse.Error(400, "required", "Required: object name");
        }

        switch (request.Param("uploadType"))
        {
            case "media":
                contentType = request.Header("Content-Type") ?? contentType;
                return Commit(request, bucket, objects, name, contentType, request.Body, request.Header("X-Goog-Hash"));

            case "resumable":
                if (CheckObject(request, objects.GetValueOrDefault(name), name, forWrite: true) is { } refused)
                {
                    return refused;
                }

                var id = "session-" + Interlocked.Increment(ref _lastSession).ToString(CultureInfo.InvariantCulture);
                _sessions[id] = new UploadSession(bucket, name, request.Header("X-Upload-Content-Type") ?? contentType, request);
                var location = $"http://{request.Host}/upload/storage/v1/b/{Uri.EscapeDataString(bucket)}/o?uploadType=resumable&upload_id={id}";
                return GcsResponse.Empty(200, new Dictionary<string, string> { ["Location"] = location });

            default:
                return GcsResponse.Error(400, "invalid", $"Invalid upload type: {request.Param("uploadType")}");
        }
    }

    private GcsResponse ContinueUpload(GcsRequest request, string bucket, SortedDictionary<string, StoredObject> objects)
    {
        if (request.Param("upload_id") is not { } id || !_sessions.TryGetValue(id, out var session) || session.Bucket != bucket)
        {
            return GcsResponse.Error(404, "notFound", "No such upload session.");
        }

        if (session.Outcome is { } done)
        {
            return done;
        }

        // Content-Range: "bytes first-last/total", "bytes first-last/*", or "bytes */total" (a status query, or the end).
        var contentRange = request.Header("Content-Range");
        if (contentRange is null || !contentRange.StartsWith("bytes ", StringComparison.Ordinal))
        {
            return GcsResponse.Error(400, "invalid", $"Invalid Content-Range: {contentRange}");
        }

        var spec = contentRange["bytes ".Length..];
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        long? total = slash >= 0 && spec[(slash + 1)..] != "*" ? long.Parse(spec[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture) : null;
        var span = slash >= 0 ? spec[..slash] : spec;
        if (span != "*")
        {
            var dash = span.IndexOf('-', StringComparison.Ordinal);
            var first = long.Parse(span[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
            var last = long.Parse(span[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
            if (last - first + 1 != request.Body.Length || first > session.Received.Length)
            {
                return GcsResponse.Error(400, "invalid", $"Content-Range {contentRange} does not match the {request.Body.Length} bytes sent after {session.Received.Length} received.");
            }

            // Bytes sent again after an interruption are skipped.
            var skip = (int)(session.Received.Length - first);
            if (skip < request.Body.Length)
            {
                session.Received.Write(request.Body.AsSpan(skip));
            }
        }
        else if (request.Body.Length > 0)
        {
            return GcsResponse.Error(400, "invalid", "A body was sent with Content-Range bytes */total.");
        }

        if (total is { } size && session.Received.Length == size)
        {
            session.Outcome = Commit(session.Start, bucket, objects, session.Name, session.ContentType, session.Received.ToArray(), request.Header("X-Goog-Hash"));
            return session.Outcome;
        }

        if (total is { } expected && session.Received.Length > expected)
        {
            return GcsResponse.Error(400, "invalid", $"{session.Received.Length} bytes received for an upload of {expected}.");
        }

        var headers = new Dictionary<string, string>();
        if (session.Received.Length > 0)
        {
            headers["Range"] = string.Create(CultureInfo.InvariantCulture, $"bytes=0-{session.Received.Length - 1}");
        }

        return GcsResponse.Empty(308, headers);
    }

    /// <summary>Writes a new generation if the preconditions of <paramref name="conditions"/> hold now (the caller holds the lock).</summary>
    private GcsResponse Commit(GcsRequest conditions, string bucket, SortedDictionary<string, StoredObject> objects, string name, string contentType, byte[] data, string? hashHeader)
    {
        if (hashHeader is not null)
        {
            foreach (var part in hashHeader.Split(','))
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                var (kind, value) = (part[..Math.Max(equals, 0)].Trim(), part[(equals + 1)..].Trim());
                var actual = kind switch
                {
                    "crc32c" => GcsCrc32C.Base64(data),
                    "md5" => GcsMd5.Base64(data),
                    _ => value,
                };
                if (actual != value)
                {
                    return GcsResponse.Error(400, "invalid", $"Provided {kind} hash \"{value}\" doesn't match calculated hash \"{actual}\".");
                }
            }
        }

        if (CheckObject(conditions, objects.GetValueOrDefault(name), name, forWrite: true) is { } refused)
        {
            return refused;
        }

        var stored = new StoredObject(bucket, name, NextGeneration(), data, contentType, _time.GetUtcNow());
        objects[name] = stored;
        return GcsResponse.Json(200, stored.ToJson());
    }
}
