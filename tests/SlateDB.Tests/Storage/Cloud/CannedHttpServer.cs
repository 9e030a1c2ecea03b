using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>One canned HTTP answer. With <see cref="TruncateBodyAt"/>, the body stops there and the connection closes.</summary>
internal sealed record CannedResponse(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null, int? TruncateBodyAt = null)
{
    /// <summary>How long to wait before answering (to make the client time out).</summary>
    public TimeSpan Delay { get; init; }
}

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 that answers every request with <see cref="Respond"/>'s canned response (one
/// request per connection), to drive a cloud SDK into exact failure statuses without a real service. The function
/// gets the request line and headers.
/// </summary>
internal sealed class CannedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public CannedHttpServer(Func<string, CannedResponse> respond)
    {
        Respond = respond;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Func<string, CannedResponse> Respond { get; }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
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
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                Interlocked.Increment(ref _requests);
                var response = Respond(head);
                if (response.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(response.Delay, _stop.Token);
                }

                var requestLine = head.Split("\r\n")[0];
                var body = Encoding.UTF8.GetBytes(response.Body);
                var headers = response.Headers ?? new Dictionary<string, string>();
                var text = new StringBuilder()
                    .Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(ReasonPhrase(response.Status)).Append("\r\n")
                    .Append("Connection: close\r\n");
                if (!headers.ContainsKey("Content-Length"))
                {
                    text.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                }

                foreach (var (name, value) in headers)
                {
                    text.Append(name).Append(": ").Append(value).Append("\r\n");
                }

                text.Append("\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
                if (!requestLine.StartsWith("HEAD ", StringComparison.Ordinal))
                {
                    await stream.WriteAsync(body.AsMemory(0, Math.Min(body.Length, response.TruncateBodyAt ?? body.Length)));
                }

                await stream.FlushAsync();
            }
            catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The client went away, or the server is stopping; nothing to answer.
            }
        }
    }

    /// <summary>Reads the request line and headers, then discards a Content-Length body (after a 100 Continue if asked).</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(bytes))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }

            bytes.Add(one[0]);
        }

        var head = Encoding.ASCII.GetString(bytes.ToArray());
        if (head.Contains("Expect: 100-continue", StringComparison.OrdinalIgnoreCase))
        {
            await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
        }

        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) && long.TryParse(line[15..].Trim(), out var length))
            {
                var buffer = new byte[8192];
                while (length > 0)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length)));
                    if (read == 0)
                    {
                        break;
                    }

                    length -= read;
                }
            }
        }

        return head;
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        206 => "Partial Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
