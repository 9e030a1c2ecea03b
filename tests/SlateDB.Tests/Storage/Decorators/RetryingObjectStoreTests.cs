using System.Net;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Decorators;

public sealed class RetryingObjectStoreTests
{
    private static readonly byte[] Payload = "hello, object store"u8.ToArray();

    private static SlateDbException Unavailable() => new(SlateDbErrorKind.Unavailable, "scripted transient failure");

    [Fact]
    public async Task Retries_transient_failures_with_backoff_growing_and_capped()
    {
        var clock = new DelayRecordingTimeProvider();
        var memory = new TestMemoryStore();
        await memory.PutAsync("a/b", Payload, PutMode.Overwrite, default);
        var scripted = new ScriptedStore(memory, clock).FailBefore(6, Unavailable);
        var store = new RetryingObjectStore(scripted, timeProvider: clock);

        var get = store.GetAsync("a/b", default).AsTask();
        var waits = await clock.DriveAsync(get);

        (await get)!.Data.ToArray().Should().Equal(Payload);
        waits.Select(w => w.TotalMilliseconds).Should().Equal(100, 200, 400, 800, 1000, 1000);
        var attempts = scripted.Attempts;
        attempts.Should().HaveCount(7);
        // Each attempt happened exactly one backoff after the one before it.
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => (b.At - a.At).TotalMilliseconds);
        gaps.Should().Equal(100, 200, 400, 800, 1000, 1000);
    }

    [Fact]
    public async Task Custom_backoff_and_jitter_are_seeded_and_bounded()
    {
        const int seed = 1234;
        var options = new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(200), Multiplier = 3, Jitter = 0.5 };

        async Task<List<TimeSpan>> RunAsync()
        {
            var clock = new DelayRecordingTimeProvider();
            var scripted = new ScriptedStore(new TestMemoryStore(), clock).FailBefore(5, Unavailable);
            var store = new RetryingObjectStore(scripted, options, clock, new Random(seed));
            var head = store.HeadAsync("missing", default).AsTask();
            var waits = await clock.DriveAsync(head);
            (await head).Should().BeNull();
            return waits;
        }

        var first = await RunAsync();
        var second = await RunAsync();
        second.Should().Equal(first, $"the same seed ({seed}) gives the same jitter");
        double[] backoffs = [10, 30, 90, 200, 200];
        first.Should().HaveCount(5);
        for (var i = 0; i < backoffs.Length; i++)
        {
            first[i].TotalMilliseconds.Should().BeInRange(backoffs[i] * 0.5, backoffs[i], $"wait {i} with seed {seed}");
        }

        first.Select(w => w.TotalMilliseconds).Should().NotEqual(backoffs, "jitter shortened some waits");
    }

    [Fact]
    public async Task MaxRetries_is_respected_and_the_last_failure_surfaces()
    {
        var clock = new DelayRecordingTimeProvider();
        var failures = 0;
        var scripted = new ScriptedStore(new TestMemoryStore(), clock)
            .FailBefore(10, () => new SlateDbException(SlateDbErrorKind.Unavailable, $"failure {++failures}"));
        var store = new RetryingObjectStore(scripted, new RetryOptions { MaxRetries = 3 }, clock);

        var put = store.PutAsync("x", Payload, PutMode.Overwrite, default).AsTask();
        var waits = await clock.DriveAsync(put);

        var thrown = await put.Invoking(p => p).Should().ThrowAsync<SlateDbException>();
        thrown.Which.Message.Should().Be("failure 4");
        thrown.Which.Kind.Should().Be(SlateDbErrorKind.Unavailable);
        scripted.AttemptCount("put").Should().Be(4, "one attempt and three retries");
        waits.Should().HaveCount(3);
    }

    [Fact]
    public async Task MaxRetries_zero_tries_once()
    {
        var scripted = new ScriptedStore(new TestMemoryStore()).FailBefore(1, Unavailable);
        var store = new RetryingObjectStore(scripted, new RetryOptions { MaxRetries = 0 });

        await store.Invoking(s => s.HeadAsync("x", default).AsTask()).Should().ThrowAsync<SlateDbException>();
        scripted.AttemptCount("head").Should().Be(1);
    }

    public static TheoryData<string> TransientFailures => new() { "unavailable", "timeout", "io", "http-no-status", "http-503", "http-429", "timeout-cancellation" };

    private static Exception MakeFailure(string name) => name switch
    {
        "unavailable" => Unavailable(),
        "timeout" => new TimeoutException(),
        "io" => new IOException("connection reset"),
        "http-no-status" => new HttpRequestException("socket closed"),
        "http-503" => new HttpRequestException("busy", null, HttpStatusCode.ServiceUnavailable),
        "http-429" => new HttpRequestException("slow down", null, HttpStatusCode.TooManyRequests),
        "timeout-cancellation" => new TaskCanceledException("request timed out"),
        "internal" => new SlateDbException(SlateDbErrorKind.Internal, "bug"),
        "data" => SlateDbException.Corrupt("x", "bad bytes"),
        "invalid" => new SlateDbException(SlateDbErrorKind.Invalid, "bad call"),
        "invalid-operation" => new InvalidOperationException(),
        "file-not-found" => new FileNotFoundException(),
        "http-403" => new HttpRequestException("forbidden", null, HttpStatusCode.Forbidden),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(TransientFailures))]
    public async Task Transient_failures_are_retried(string failure)
    {
        var memory = new TestMemoryStore();
        var scripted = new ScriptedStore(memory).FailBefore(2, () => MakeFailure(failure));
        var store = new RetryingObjectStore(scripted, new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        var result = await store.PutAsync("k", Payload, PutMode.Create, default);

        result.IsWritten.Should().BeTrue();
        scripted.AttemptCount("put").Should().Be(3);
        memory.Read("k").Should().Equal(Payload);
    }

    [Theory]
    [InlineData("internal")]
    [InlineData("data")]
    [InlineData("invalid")]
    [InlineData("invalid-operation")]
    [InlineData("file-not-found")]
    [InlineData("http-403")]
    public async Task Permanent_failures_surface_at_once(string failure)
    {
        var scripted = new ScriptedStore(new TestMemoryStore()).FailBefore(1, () => MakeFailure(failure));
        var store = new RetryingObjectStore(scripted);

        var thrown = await store.Invoking(s => s.GetAsync("k", default).AsTask()).Should().ThrowAsync<Exception>();
        thrown.Which.GetType().Should().Be(MakeFailure(failure).GetType());
        scripted.AttemptCount("get").Should().Be(1);
    }

    [Fact]
    public async Task Caller_cancellation_surfaces_at_once()
    {
        using var cts = new CancellationTokenSource();
        var scripted = new ScriptedStore(new TestMemoryStore()).FailBefore(1, () =>
        {
            cts.Cancel();
            return new OperationCanceledException(cts.Token);
        });
        var store = new RetryingObjectStore(scripted);

        await store.Invoking(s => s.GetAsync("k", cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        scripted.AttemptCount("get").Should().Be(1);

        await store.Invoking(s => s.GetAsync("k", cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        scripted.AttemptCount("get").Should().Be(1, "an already cancelled call makes no request");
    }

    [Fact]
    public async Task Cancellation_during_a_backoff_stops_retrying()
    {
        var clock = new DelayRecordingTimeProvider();
        using var cts = new CancellationTokenSource();
        var scripted = new ScriptedStore(new TestMemoryStore(), clock).FailBefore(5, Unavailable);
        var store = new RetryingObjectStore(scripted, timeProvider: clock);

        var get = store.GetAsync("k", cts.Token).AsTask();
        scripted.AttemptCount("get").Should().Be(1);
        get.IsCompleted.Should().BeFalse("it waits out the first backoff");
        await cts.CancelAsync();

        await get.Invoking(g => g).Should().ThrowAsync<OperationCanceledException>();
        clock.Fake.Advance(TimeSpan.FromSeconds(10));
        scripted.AttemptCount("get").Should().Be(1);
    }

    [Fact]
    public async Task Lost_response_create_resolves_to_written()
    {
        var memory = new TestMemoryStore();
        var logger = new ListLogger();
        var scripted = new ScriptedStore(memory).LoseResponse(Unavailable);
        var store = new RetryingObjectStore(scripted, new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero }, logger: logger);

        var result = await store.PutAsync("wal/1.sst", Payload, PutMode.Create, default);

        result.Outcome.Should().Be(PutOutcome.Written, "the first attempt wrote the object");
        result.Version.Should().Be((await memory.HeadAsync("wal/1.sst", default))!.Version);
        scripted.AttemptCount("put").Should().Be(2);
        scripted.AttemptCount("get_range").Should().Be(1, "the object was read back once");
        logger.Entries.Select(e => e.EventId.Id).Should().Equal(1105, 1106, 1102);
    }

    [Fact]
    public async Task Lost_response_update_resolves_to_written()
    {
        var memory = new TestMemoryStore();
        var first = await memory.PutAsync("gc/boundary", "1"u8.ToArray(), PutMode.Create, default);
        var scripted = new ScriptedStore(memory).FailBefore(1, Unavailable).LoseResponse(() => new TimeoutException());
        var store = new RetryingObjectStore(scripted, new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        var result = await store.PutAsync("gc/boundary", "2"u8.ToArray(), PutMode.Update(first.Version!), default);

        result.Outcome.Should().Be(PutOutcome.Written);
        result.Version.Should().NotBe(first.Version).And.Be((await memory.HeadAsync("gc/boundary", default))!.Version);
        memory.Read("gc/boundary").Should().Equal("2"u8.ToArray());
        scripted.AttemptCount("put").Should().Be(3);
    }

    [Fact]
    public async Task Real_create_conflict_after_a_transient_failure_still_reports_already_exists()
    {
        var memory = new TestMemoryStore();
        var scripted = new ScriptedStore(memory).FailBefore(1, () =>
        {
            // A rival writer creates the object, with other bytes, while our attempt fails.
            memory.Put("manifest/2", "rival"u8.ToArray(), PutMode.Create);
            return Unavailable();
        });
        var store = new RetryingObjectStore(scripted, new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        var result = await store.PutAsync("manifest/2", Payload, PutMode.Create, default);

        result.Should().Be(PutResult.AlreadyExists);
        memory.Read("manifest/2").Should().Equal("rival"u8.ToArray());
    }

    [Fact]
    public async Task Real_update_conflict_after_a_transient_failure_still_reports_version_mismatch()
    {
        var memory = new TestMemoryStore();
        var first = await memory.PutAsync("gc/boundary", "1"u8.ToArray(), PutMode.Create, default);
        var scripted = new ScriptedStore(memory).FailBefore(1, () =>
        {
            memory.Put("gc/boundary", "rival"u8.ToArray(), PutMode.Update(first.Version!));
            return Unavailable();
        });
        var store = new RetryingObjectStore(scripted, new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        var result = await store.PutAsync("gc/boundary", "2"u8.ToArray(), PutMode.Update(first.Version!), default);

        result.Should().Be(PutResult.VersionMismatch);
        memory.Read("gc/boundary").Should().Equal("rival"u8.ToArray());
    }

    [Fact]
    public async Task Lost_response_resolution_can_be_turned_off()
    {
        var scripted = new ScriptedStore(new TestMemoryStore()).LoseResponse(Unavailable);
        var store = new RetryingObjectStore(scripted, new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero, ResolveLostConditionalPuts = false });

        var result = await store.PutAsync("wal/1.sst", Payload, PutMode.Create, default);

        result.Should().Be(PutResult.AlreadyExists);
        scripted.AttemptCount("get").Should().Be(0);
        scripted.AttemptCount("get_range").Should().Be(0);
    }

    [Fact]
    public async Task Overwrite_puts_and_deletes_are_retried()
    {
        var memory = new TestMemoryStore();
        var scripted = new ScriptedStore(memory).LoseResponse(Unavailable).FailBefore(1, Unavailable);
        var store = new RetryingObjectStore(scripted, new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        (await store.PutAsync("compacted/a.sst", Payload, PutMode.Overwrite, default)).IsWritten.Should().BeTrue();
        scripted.LoseResponse(Unavailable);
        await store.DeleteAsync("compacted/a.sst", default);

        memory.Read("compacted/a.sst").Should().BeNull();
        scripted.AttemptCount("put").Should().Be(3);
        scripted.AttemptCount("delete").Should().Be(2);
    }

    [Fact]
    public async Task A_listing_that_fails_half_way_is_restarted_without_duplicates()
    {
        var memory = new TestMemoryStore();
        for (var i = 0; i < 5; i++)
        {
            await memory.PutAsync($"wal/{i}.sst", Payload, PutMode.Create, default);
        }

        await memory.PutAsync("manifest/1.manifest", Payload, PutMode.Create, default);
        var scripted = new ScriptedStore(memory).FailBefore(2, () => new IOException("reset"));
        var store = new RetryingObjectStore(scripted, new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        var paths = new List<string>();
        await foreach (var item in store.ListAsync("wal/", default))
        {
            paths.Add(item.Path);
        }

        paths.Should().BeEquivalentTo(Enumerable.Range(0, 5).Select(i => $"wal/{i}.sst"));
        paths.Should().OnlyHaveUniqueItems();
        scripted.AttemptCount("list").Should().Be(3);
    }

    [Fact]
    public async Task Short_reads_are_retried()
    {
        var memory = new TestMemoryStore();
        await memory.PutAsync("sst", Payload, PutMode.Create, default);
        var truncating = new TruncatingStore(memory, truncations: 2);
        var store = new RetryingObjectStore(truncating, new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        var range = await store.GetRangeAsync("sst", new ByteRange(3, 100), default);
        range!.Data.ToArray().Should().Equal(Payload[3..]);
        truncating.Calls.Should().Be(3);

        truncating.Truncations = 1;
        var whole = await store.GetAsync("sst", default);
        whole!.Data.ToArray().Should().Equal(Payload);
        truncating.Calls.Should().Be(5);

        var pastEnd = await store.GetRangeAsync("sst", new ByteRange(1000, 10), default);
        pastEnd!.Data.Length.Should().Be(0, "a range past the end holds nothing, which is not a short read");
    }

    [Fact]
    public void Options_are_validated()
    {
        var inner = new TestMemoryStore();
        FluentActions.Invoking(() => new RetryingObjectStore(inner, new RetryOptions { MaxRetries = -1 })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new RetryingObjectStore(inner, new RetryOptions { Multiplier = 0.5 })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new RetryingObjectStore(inner, new RetryOptions { Jitter = 1.5 })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new RetryingObjectStore(inner, new RetryOptions { MaxBackoff = TimeSpan.FromMilliseconds(1) })).Should().Throw<ArgumentException>();
        RetryOptions.Default.Should().Be(new RetryOptions { MaxRetries = null, InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1), Multiplier = 2, Jitter = 0 });
    }

    /// <summary>Returns the first bytes of reads cut short a set number of times, as a dropped connection would.</summary>
    private sealed class TruncatingStore(IObjectStore inner, int truncations) : IObjectStore
    {
        public int Truncations { get; set; } = truncations;

        public int Calls { get; private set; }

        public async ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) =>
            Cut(await inner.GetAsync(path, cancellationToken));

        public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) =>
            Cut(await inner.GetRangeAsync(path, range, cancellationToken));

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) =>
            inner.PutAsync(path, data, mode, cancellationToken);

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        private ObjectContent? Cut(ObjectContent? content)
        {
            Calls++;
            if (content is null || Truncations <= 0 || content.Data.Length == 0)
            {
                return content;
            }

            Truncations--;
            return content with { Data = content.Data[..^1] };
        }
    }
}
