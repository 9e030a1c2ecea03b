using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SlateDB.Simulation.Chaos;

/// <summary>
/// A fault-injecting TCP proxy for HTTP/1.1 traffic to an S3 server: it relays each client connection to the server
/// and, as its <see cref="ChaosProfile"/> says, delays chunks (latency with jitter), caps bandwidth, resets
/// connections (RST), stalls them, answers requests itself with HTTP 503 in bursts, and simulates server restarts
/// (drops every connection and refuses new ones for a while). Seeded; counts what it injected.
/// </summary>
internal sealed class ChaosProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _server;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _acceptLoop;
    private readonly Task _restartLoop;
    private int _burstLeft;
    private long _downUntilTicks;

    public ChaosProxy(IPEndPoint server, ChaosProfile profile, int seed)
    {
        _server = server;
        Profile = profile;
        _random = new Random(seed);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
        _restartLoop = Task.Run(RestartLoopAsync);
    }

    public ChaosProfile Profile { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public long Connections { get; private set; }

    public long Resets { get; private set; }

    public long Stalls { get; private set; }

    public long Injected503s { get; private set; }

    public long Restarts { get; private set; }

    public long DelayedChunks { get; private set; }

    public long Faults => Resets + Stalls + Injected503s + Restarts;

    public override string ToString() =>
        $"{Profile}: {Connections} connections, {DelayedChunks} delayed chunks, {Resets} resets, {Stalls} stalls, {Injected503s} injected 503s, {Restarts} restarts";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
        await Task.WhenAll(_acceptLoop, _restartLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private double Draw()
    {
        lock (_lock)
        {
            return _random.NextDouble();
        }
    }

    private bool Down => DateTime.UtcNow.Ticks < Interlocked.Read(ref _downUntilTicks);

    private async Task RestartLoopAsync()
    {
        if (Profile.RestartEvery is not { } every)
        {
            return;
        }

        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(every, _stop.Token);
                Restarts++;
                Interlocked.Exchange(ref _downUntilTicks, (DateTime.UtcNow + Profile.RestartFor).Ticks);
                DropAll();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void DropAll()
    {
        List<TcpClient> all;
        lock (_lock)
        {
            all = [.. _connections];
            _connections.Clear();
        }

        foreach (var connection in all)
        {
            Reset(connection);
        }
    }

    private static void Reset(TcpClient connection)
    {
        try
        {
            if (connection.Client is { } socket) // null once the relay disposed it
            {
                socket.LingerState = new LingerOption(true, 0); // close with RST
            }

            connection.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or NullReferenceException)
        {
            // Already closed by its relay (TcpClient throws NullReferenceException for a client it disposed).
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Connections++;
            if (Down)
            {
                Reset(client); // the server is restarting: connection refused/reset
                continue;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        lock (_lock)
        {
            _connections.Add(client);
            _connections.Add(server);
        }

        try
        {
            client.NoDelay = true;
            await server.ConnectAsync(_server, _stop.Token);
            server.NoDelay = true;
            var clientStream = client.GetStream();
            var serverStream = server.GetStream();
            var writeLock = new SemaphoreSlim(1, 1);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpRequestsAsync(clientStream, serverStream, writeLock, done.Token);
            var down = PumpAsync(serverStream, clientStream, writeLock, done.Token);
            await Task.WhenAny(up, down);
            await done.CancelAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Reset(client); // an injected reset, or the server went away: the client sees the connection reset
        }
        finally
        {
            lock (_lock)
            {
                _connections.Remove(client);
                _connections.Remove(server);
            }

            client.Dispose();
        }
    }

    /// <summary>Client to server: passes requests through, or answers one itself with a 503 (and closes the connection).</summary>
    private async Task PumpRequestsAsync(NetworkStream from, NetworkStream to, SemaphoreSlim clientWrite, CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        var atRequestStart = true;
        while (true)
        {
            var read = await from.ReadAsync(buffer, token);
            if (read == 0)
            {
                to.Socket.Shutdown(SocketShutdown.Send);
                return;
            }

            // A new request starts with a method name; the SDK does not pipeline, so a 503 written now answers it.
            if (atRequestStart && Profile.Http503Probability > 0 && StartsRequest(buffer, read) && Refuse503())
            {
                Injected503s++;
                var body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>chaos proxy 503</Message></Error>";
                var response = $"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
                await clientWrite.WaitAsync(token);
                try
                {
                    await from.WriteAsync(Encoding.UTF8.GetBytes(response), token);
                }
                finally
                {
                    clientWrite.Release();
                }

                from.Socket.Shutdown(SocketShutdown.Both);
                return;
            }

            atRequestStart = false;
            await ForwardAsync(buffer, read, to, null, token);
            // After a request's bytes, the next read that begins with a method starts the next request.
            atRequestStart = true;
        }
    }

    private bool Refuse503()
    {
        lock (_lock)
        {
            if (_burstLeft > 0)
            {
                _burstLeft--;
                return true;
            }

            if (_random.NextDouble() < Profile.Http503Probability)
            {
                _burstLeft = Profile.Http503BurstLength - 1;
                return true;
            }

            return false;
        }
    }

    private static bool StartsRequest(byte[] buffer, int count)
    {
        ReadOnlySpan<byte> span = buffer.AsSpan(0, Math.Min(count, 8));
        return span.StartsWith("GET "u8) || span.StartsWith("PUT "u8) || span.StartsWith("HEAD "u8) || span.StartsWith("DELETE "u8) || span.StartsWith("POST "u8);
    }

    /// <summary>Server to client.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to, SemaphoreSlim toWrite, CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer, token);
            if (read == 0)
            {
                to.Socket.Shutdown(SocketShutdown.Send);
                return;
            }

            await ForwardAsync(buffer, read, to, toWrite, token);
        }
    }

    private async Task ForwardAsync(byte[] buffer, int count, NetworkStream to, SemaphoreSlim? writeLock, CancellationToken token)
    {
        if (Profile.ResetProbability > 0 && Draw() < Profile.ResetProbability)
        {
            Resets++;
            throw new IOException("chaos proxy: connection reset");
        }

        if (Profile.StallProbability > 0 && Draw() < Profile.StallProbability)
        {
            Stalls++;
            await Task.Delay(Profile.StallFor, token);
        }

        if (Profile.Latency > TimeSpan.Zero || Profile.Jitter > TimeSpan.Zero)
        {
            DelayedChunks++;
            await Task.Delay(Profile.Latency + Profile.Jitter * Draw(), token);
        }

        for (var offset = 0; offset < count;)
        {
            var slice = Profile.BandwidthBytesPerSecond > 0 ? Math.Min(count - offset, Math.Max(1024, Profile.BandwidthBytesPerSecond / 20)) : count - offset;
            if (writeLock is not null)
            {
                await writeLock.WaitAsync(token);
            }

            try
            {
                await to.WriteAsync(buffer.AsMemory(offset, slice), token);
            }
            finally
            {
                writeLock?.Release();
            }

            offset += slice;
            if (Profile.BandwidthBytesPerSecond > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)slice / Profile.BandwidthBytesPerSecond), token);
            }
        }
    }
}
