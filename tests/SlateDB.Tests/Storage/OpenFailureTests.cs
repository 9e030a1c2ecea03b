using System.Diagnostics;
using FluentAssertions;
using SlateDB.Storage;
using SlateDB.Testing;
using Xunit;

namespace SlateDB.Tests.Storage;

/// <summary>
/// What a newcomer's mistakes look like: permanent errors fail at once with a kind and a message that says what to
/// fix; a store that keeps failing transiently ends the open with Unavailable after the open timeout.
/// </summary>
public sealed class OpenFailureTests : IDisposable
{
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(10);
    private readonly string _folder = Directory.CreateTempSubdirectory("slatedb-openfail-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_folder_that_cannot_be_created_fails_at_once_as_Invalid()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc is Linux's.
        }

        var error = await OpenFailsAsync(new LocalFileSystemObjectStore("/proc/slatedb-no-such-folder"));
        error.Kind.Should().Be(SlateDbErrorKind.Invalid);
        error.Message.Should().Contain("/proc/slatedb-no-such-folder");
    }

    [Fact]
    public async Task A_file_where_the_root_folder_should_be_fails_at_once_as_Invalid()
    {
        var file = Path.Combine(_folder, "a-file");
        await File.WriteAllTextAsync(file, "not a folder");
        var error = await OpenFailsAsync(new LocalFileSystemObjectStore(file));
        error.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public async Task A_file_where_the_database_folder_should_be_fails_at_once_as_Invalid()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "db"), "not a folder");
        var error = await OpenFailsAsync(new LocalFileSystemObjectStore(_folder));
        error.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public async Task A_store_that_keeps_failing_transiently_ends_the_open_as_Unavailable_after_the_bound()
    {
        var store = new AlwaysUnavailableStore();
        var watch = Stopwatch.StartNew();
        var open = () => SlateDb.Builder("db", store).WithOpenTimeout(TimeSpan.FromSeconds(1)).OpenAsync();
        var error = (await open.Should().ThrowAsync<SlateDbException>()).Which;
        watch.Elapsed.Should().BeLessThan(Fast);
        error.Kind.Should().Be(SlateDbErrorKind.Unavailable);
        error.Message.Should().Contain("gave up after 1 s").And.Contain("the endpoint refused the connection");
        store.Attempts.Should().BeGreaterThan(1, "transient failures are retried until the bound");
    }

    [Fact]
    public async Task An_unreachable_s3_endpoint_ends_the_open_as_Unavailable_within_the_default_bound()
    {
        // A loopback port nobody listens on: every request is refused, a transient failure that the open retries
        // until the default bound (30 s without a successful request), not forever.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var store = new SlateDB.Storage.Aws.S3ObjectStore(new SlateDB.Storage.Aws.S3ObjectStoreOptions
        {
            Bucket = "nowhere",
            ServiceUrl = new Uri($"http://127.0.0.1:{port}"),
            AllowHttp = true,
            Credentials = new Amazon.Runtime.BasicAWSCredentials("key", "secret"),
            RequestTimeout = TimeSpan.FromSeconds(5),
        });
        var watch = Stopwatch.StartNew();
        var open = () => SlateDb.OpenAsync("db", store);
        var error = (await open.Should().ThrowAsync<SlateDbException>()).Which;
        watch.Elapsed.Should().BeLessThan(SlateDbBuilder.DefaultOpenTimeout + TimeSpan.FromSeconds(20));
        watch.Elapsed.Should().BeGreaterThan(SlateDbBuilder.DefaultOpenTimeout - TimeSpan.FromSeconds(1), "a transient failure is retried until the bound");
        error.Kind.Should().Be(SlateDbErrorKind.Unavailable);
    }

    [Fact]
    public void The_open_is_bounded_by_default()
    {
        SlateDbBuilder.DefaultOpenTimeout.Should().Be(TimeSpan.FromSeconds(30));
        var builder = SlateDb.Builder("db", new InMemoryObjectStore());
        builder.Invoking(b => b.WithOpenTimeout(TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        builder.Invoking(b => b.WithOpenTimeout(Timeout.InfiniteTimeSpan)).Should().NotThrow();
    }

    private static async Task<SlateDbException> OpenFailsAsync(IObjectStore store)
    {
        var watch = Stopwatch.StartNew();
        var open = () => SlateDb.OpenAsync("db", store);
        var error = (await open.Should().ThrowAsync<SlateDbException>()).Which;
        watch.Elapsed.Should().BeLessThan(Fast, "a permanent error is not retried ({0})", error.Message);
        return error;
    }

    /// <summary>Every request fails as an unreachable endpoint does.</summary>
    private sealed class AlwaysUnavailableStore : IObjectStore
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => throw Refused();

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => throw Refused();

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => throw Refused();

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) => throw Refused();

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => throw Refused();

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => throw Refused();

        private SlateDbException Refused()
        {
            Interlocked.Increment(ref _attempts);
            return new SlateDbException(SlateDbErrorKind.Unavailable, "the endpoint refused the connection");
        }
    }
}
