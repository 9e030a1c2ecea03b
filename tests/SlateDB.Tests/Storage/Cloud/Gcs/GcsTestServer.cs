using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>
/// A small Google Cloud Storage JSON API server on 127.0.0.1 for the tests, written from Google's documentation of the
/// API, so that the real Google.Cloud.Storage.V1 client can be tested where no GCS emulator that enforces
/// preconditions can be installed. This file holds the HTTP/1.1 plumbing (persistent connections, Content-Length, chunked
/// and gzip request bodies, fault injection); <c>GcsTestServer.Objects.cs</c> the objects and their preconditions,
/// <c>GcsTestServer.Uploads.cs</c> the uploads.
/// </summary>
/// <remarks>
/// <para>Emulated strictly: object generations (a new, larger one for every write) and metageneration 1; the
/// preconditions <c>ifGenerationMatch</c> (0 = only if absent), <c>ifGenerationNotMatch</c>,
/// <c>ifMetagenerationMatch</c> and <c>ifMetagenerationNotMatch</c> on uploads, metadata reads, downloads and deletes,
/// with 412 <c>conditionNotMet</c> when one does not hold (an upload's preconditions are checked when its session
/// starts and again, atomically with the write, when its last byte arrives); the <c>generation</c> parameter; 404 for
/// absent objects and for unknown buckets ("The specified bucket does not exist."); downloads with single
/// <c>Range: bytes=a-b</c>, <c>a-</c> and <c>-n</c> requests (206 with <c>Content-Range</c>, 416 when the range starts
/// at or past the end), <c>x-goog-generation</c>, <c>x-goog-metageneration</c>,
/// <c>x-goog-stored-content-length</c> and an <c>x-goog-hash</c> (CRC32C and MD5) of the whole object also on partial
/// answers, as GCS sends it; resumable uploads (session start, chunks with <c>Content-Range</c>, 308 with
/// <c>Range</c> for an incomplete upload, status queries with <c>bytes */total</c>, a CRC32C/MD5 check of
/// <c>X-Goog-Hash</c> on the final request) and single-request media uploads; listing by <c>prefix</c>, with
/// <c>delimiter</c>, <c>startOffset</c>, <c>endOffset</c>, <c>maxResults</c> (1 to 1,000, default 1,000) and an opaque
/// <c>pageToken</c>, in lexicographic order of the names' UTF-8 bytes; deletes; bearer-token checks (401) when the
/// server is given a token; errors in the documented JSON shape.</para>
/// <para>Not emulated: multipart uploads (<c>uploadType=multipart</c>, answered 400), cancelling an upload session,
/// object versioning (only the live generation exists), soft delete, metadata patches, compose, copy and rewrite,
/// ACLs and IAM, customer-supplied encryption keys, requester-pays billing (<c>userProject</c> is accepted and
/// ignored), the <c>fields</c> and <c>projection</c> parameters (every answer carries the full resource), gzip
/// transcoding, XML API, bucket management (buckets are fixed when the server starts), GCS's limit of one write per
/// second to one object name (this server never answers 429 unless a test injects it), and real authentication (any
/// request carrying the configured bearer token is allowed).</para>
/// </remarks>
internal sealed partial class GcsTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _loop;
    private int _requests;

    /// <param name="buckets">The buckets that exist.</param>
    /// <param name="time">The clock that stamps <c>timeCreated</c> and <c>updated</c>.</param>
    /// <param name="bearerToken">When set, every request must carry <c>Authorization: Bearer</c> this token (else 401).</param>
    public GcsTestServer(IEnumerable<string> buckets, TimeProvider time, string? bearerToken = null)
    {
        foreach (var bucket in buckets)
        {
            _buckets[bucket] = new SortedDictionary<string, StoredObject>(Utf8Order.Instance);
        }

        _time = time;
        _bearerToken = bearerToken;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The service root, <c>http://127.0.0.1:port/</c>: the JSON API is under <c>storage/v1/</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>How many requests have arrived.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>
    /// Every request's method, path and query as it arrived, with its <c>X-Goog-Hash</c> and <c>Range</c> headers if any
    /// (for tests that check what the client sent).
    /// </summary>
    public ConcurrentQueue<string> RequestLog { get; } = new();

    /// <summary>
    /// A test's fault injection: called before each request is served; a non-null answer is sent instead (and the
    /// request has no effect).
    /// </summary>
    public Func<GcsRequest, GcsResponse?>? Fault { get; set; }

    /// <summary>A test's tampering: called with each served answer; what it returns is sent instead.</summary>
    public Func<GcsRequest, GcsResponse, GcsResponse>? Rewrite { get; set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        try
        {
            await _loop;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            client.NoDelay = true;
            _clients.Add(client);
            _ = Task.Run(() => ServeConnectionAsync(client));
        }
    }

    private async Task ServeConnectionAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var network = client.GetStream();
                var input = new BufferedStream(network, 64 * 1024);
                while (!_stop.IsCancellationRequested)
                {
                    var request = await ReadRequestAsync(input, network);
                    if (request is null)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _requests);
                    RequestLog.Enqueue($"{request.Method} {request.RawPath}?{string.Join('&', request.Query.Select(p => p.Key + "=" + p.Value))}"
                        + (request.Header("X-Goog-Hash") is { } hash ? " x-goog-hash: " + hash : "")
                        + (request.Header("Range") is { } range ? " range: " + range : ""));
                    var response = Fault?.Invoke(request) ?? ServeOrRefuse(request);
                    response = Rewrite?.Invoke(request, response) ?? response;
                    var close = string.Equals(request.Header("Connection"), "close", StringComparison.OrdinalIgnoreCase);
                    await WriteResponseAsync(network, request, response, close);
                    if (close)
                    {
                        return;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidDataException)
            {
                // The client went away, sent something this server does not parse, or the server is stopping.
            }
        }
    }

    /// <summary>
    /// Serves a request; one this server cannot parse (a malformed number or header) gets 400, which the adapter maps
    /// to a permanent failure, so that a client or server mistake surfaces in the tests instead of being retried.
    /// </summary>
    private GcsResponse ServeOrRefuse(GcsRequest request)
    {
        try
        {
            return Serve(request);
        }
        catch (Exception exception) when (exception is FormatException or OverflowException or ArgumentException or InvalidOperationException)
        {
            return GcsResponse.Error(400, "invalid", $"The test server cannot handle {request.Method} {request.RawPath}: {exception.Message}");
        }
    }

    private static async Task<GcsRequest?> ReadRequestAsync(BufferedStream input, NetworkStream network)
    {
        var requestLine = await ReadLineAsync(input);
        if (requestLine is null)
        {
            return null;
        }

        var parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Bad request line '{requestLine}'.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (await ReadLineAsync(input) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"Bad header line '{line}'.");
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
        }

        if (headers.TryGetValue("Expect", out var expect) && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            await network.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
        }

        byte[] body;
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(input);
        }
        else if (headers.TryGetValue("Content-Length", out var lengthText))
        {
            body = new byte[long.Parse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture)];
            await input.ReadExactlyAsync(body);
        }
        else
        {
            body = [];
        }

        if (headers.TryGetValue("Content-Encoding", out var contentEncoding) && contentEncoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
        {
            // The Google client gzips JSON request bodies (as GCS accepts).
            using var unzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            await unzip.CopyToAsync(plain);
            body = plain.ToArray();
        }

        var target = parts[1];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? target : target[..question];
        var query = question < 0 ? [] : GcsRequest.ParseQuery(target[(question + 1)..]);
        return new GcsRequest(parts[0], rawPath, query, headers, body, headers.GetValueOrDefault("Host") ?? "127.0.0.1");
    }

    private static async Task<byte[]> ReadChunkedAsync(BufferedStream input)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(input) ?? throw new InvalidDataException("The chunked body ended early.");
            var semicolon = sizeLine.IndexOf(';', StringComparison.Ordinal);
            var size = int.Parse(semicolon < 0 ? sizeLine : sizeLine[..semicolon], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                while (await ReadLineAsync(input) is { Length: > 0 })
                {
                    // Trailers are ignored.
                }

                return body.ToArray();
            }

            var chunk = new byte[size];
            await input.ReadExactlyAsync(chunk);
            body.Write(chunk);
            await ReadLineAsync(input);
        }
    }

    /// <summary>Reads one CRLF-terminated line; null at the end of the stream before any byte.</summary>
    private static async Task<string?> ReadLineAsync(BufferedStream input)
    {
        var bytes = new List<byte>(128);
        var one = new byte[1];
        while (true)
        {
            if (await input.ReadAsync(one) == 0)
            {
                return bytes.Count == 0 ? null : throw new InvalidDataException("The connection closed inside a line.");
            }

            if (one[0] == '\n')
            {
                if (bytes.Count > 0 && bytes[^1] == '\r')
                {
                    bytes.RemoveAt(bytes.Count - 1);
                }

                return Encoding.Latin1.GetString(bytes.ToArray());
            }

            bytes.Add(one[0]);
        }
    }

    private static async Task WriteResponseAsync(NetworkStream network, GcsRequest request, GcsResponse response, bool close)
    {
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {ReasonPhrase(response.Status)}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {response.Body.Length}\r\n");
        if (close)
        {
            head.Append("Connection: close\r\n");
        }

        foreach (var (name, value) in response.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        // One write for head and body: two small writes would wait on the client's delayed ACK.
        var headBytes = Encoding.Latin1.GetBytes(head.ToString());
        var body = request.Method == "HEAD" ? [] : response.Body;
        var message = new byte[headBytes.Length + body.Length];
        headBytes.CopyTo(message, 0);
        body.CopyTo(message, headBytes.Length);
        await network.WriteAsync(message);

        await network.FlushAsync();
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        308 => "Resume Incomplete",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        412 => "Precondition Failed",
        416 => "Requested Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
