using SlateDB.Storage;

namespace SlateDB.Tests.Storage;

public sealed class ObjectStoresTests
{
    [Fact]
    public void A_registered_scheme_opens_through_its_factory_with_the_settings()
    {
        Uri? seenUrl = null;
        ObjectStoreUrlOptions? seenOptions = null;
        var store = new NoopStore();
        ObjectStores.Register("unit-test-scheme", (url, options) =>
        {
            seenUrl = url;
            seenOptions = options;
            return store;
        });
        var options = new ObjectStoreUrlOptions();

        var opened = ObjectStores.FromUrl("UNIT-TEST-SCHEME://where/ever", options);

        opened.Should().BeSameAs(store);
        seenUrl!.OriginalString.Should().Be("UNIT-TEST-SCHEME://where/ever");
        seenOptions.Should().BeSameAs(options);
        ObjectStores.IsRegistered("unit-test-scheme").Should().BeTrue("schemes are case-insensitive");
    }

    [Fact]
    public async Task Memory_urls_open_a_new_empty_in_memory_store()
    {
        var first = ObjectStores.FromUrl("memory:///");
        var second = ObjectStores.FromUrl("memory://");
        await first.PutAsync("a", "x"u8.ToArray(), PutMode.Create, default);

        first.Should().BeOfType<InMemoryObjectStore>();
        (await second.HeadAsync("a", default)).Should().BeNull("each URL opens its own store");
        FluentActions.Invoking(() => ObjectStores.FromUrl("memory:///some/path")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public async Task File_urls_open_a_local_store_rooted_at_the_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "slatedb-fromurl-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = ObjectStores.FromUrl(new Uri(folder).AbsoluteUri);
            await store.PutAsync("db/x", "hello"u8.ToArray(), PutMode.Create, default);

            store.Should().BeOfType<LocalFileSystemObjectStore>().Which.RootDirectory.Should().Be(folder);
            (await File.ReadAllBytesAsync(Path.Combine(folder, "db", "x"))).Should().Equal("hello"u8.ToArray());
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void An_unknown_scheme_is_not_supported_and_says_how_to_register_one()
    {
        var act = () => ObjectStores.FromUrl("nosuchscheme://x/y");

        act.Should().Throw<NotSupportedException>().WithMessage("*nosuchscheme*ObjectStores.Register*");
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("relative/path")]
    public void A_url_that_is_not_absolute_is_an_argument_error(string url)
    {
        var act = () => ObjectStores.FromUrl(url);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Registration_checks_its_arguments()
    {
        FluentActions.Invoking(() => ObjectStores.Register("", (_, _) => new NoopStore())).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ObjectStores.Register("bad scheme", (_, _) => new NoopStore())).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ObjectStores.Register("ok", null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Settings_win_over_the_environment_which_is_read_in_upper_case()
    {
        var environment = new Dictionary<string, string> { ["AWS_REGION"] = "from-env", ["AWS_ALLOW_HTTP"] = "yes", ["AWS_ENDPOINT"] = "e" };
        var options = new ObjectStoreUrlOptions { EnvironmentReader = name => environment.GetValueOrDefault(name) };
        options.Settings["Aws_Region"] = "from-settings";

        options.GetSetting("aws_region").Should().Be("from-settings");
        options.GetSetting("aws_endpoint_url", "aws_endpoint").Should().Be("e", "the first name with a value wins");
        options.GetFlag("aws_allow_http").Should().BeTrue();
        options.GetSetting("aws_missing").Should().BeNull();
        options.GetFlag("aws_missing").Should().BeNull();

        options.UseEnvironment = false;
        options.GetSetting("aws_endpoint").Should().BeNull("the environment is off");
        options.GetSetting("aws_region").Should().Be("from-settings");
    }

    [Fact]
    public void A_flag_that_is_not_true_or_false_is_an_argument_error()
    {
        var options = new ObjectStoreUrlOptions { UseEnvironment = false };
        options.Settings["aws_allow_http"] = "maybe";

        FluentActions.Invoking(() => options.GetFlag("aws_allow_http")).Should().Throw<ArgumentException>().WithMessage("*maybe*");
    }

    private sealed class NoopStore : IObjectStore
    {
        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => ValueTask.FromResult<ObjectContent?>(null);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => ValueTask.FromResult<ObjectContent?>(null);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => ValueTask.FromResult<ObjectMetadata?>(null);

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) =>
            ValueTask.FromResult(PutResult.Written("v"));

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }
    }
}
