using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Decorators;

/// <summary>
/// Reads into a caller's buffer (<see cref="IRangeReadInto"/>, the compaction's pooled read buffers) pass through the
/// database's decorators — instrumentation, read backpressure, retries — where the store beneath takes them, so a
/// database over a local folder compacts into reused buffers instead of a new array per read.
/// </summary>
public sealed class ReadIntoThroughDecoratorsTests() : LocalFolderTest("slatedb-readinto-")
{
    [Fact]
    public void The_stack_reads_into_buffers_only_where_the_store_beneath_does()
    {
        Stack(new LocalFileSystemObjectStore(Folder.FullName)).Should().BeAssignableTo<IRangeReadInto>().Which.CanReadInto.Should().BeTrue();
        Stack(new InMemoryObjectStore()).Should().BeAssignableTo<IRangeReadInto>().Which.CanReadInto.Should().BeFalse("the in-memory store reads as usual");
    }

    [Fact]
    public async Task A_read_through_the_stack_lands_in_the_callers_buffer_holds_a_read_slot_and_is_counted()
    {
        var local = new LocalFileSystemObjectStore(Folder.FullName);
        var data = Bytes(300_000, 4);
        await local.PutAsync("db/compacted/x.sst", data, PutMode.Overwrite, default);
        var limiter = new ReadLimitingObjectStore(local, maxInFlightReads: 2);
        var instrumented = new InstrumentedObjectStore(limiter);
        IRangeReadInto stack = new RetryingObjectStore(instrumented);

        var buffer = new byte[70_000];
        var read = await stack.ReadRangeIntoAsync("db/compacted/x.sst", new ByteRange(100_000, 65_536), buffer, default);

        read.Should().Be(65_536);
        buffer.AsSpan(0, read).SequenceEqual(data.AsSpan(100_000, 65_536)).Should().BeTrue();
        limiter.PeakInFlightReads.Should().Be(1, "the read held a slot");
        instrumented.Stats.RangeGets.Should().Be(1, "the read was counted as a ranged GET");
        (await stack.ReadRangeIntoAsync("db/compacted/missing.sst", new ByteRange(0, 10), buffer, default)).Should().Be(-1);
    }

    [Fact]
    public async Task A_transient_failure_of_a_read_into_is_retried()
    {
        var flaky = new FlakyReadInto(failures: 2);
        IRangeReadInto retrying = new RetryingObjectStore(flaky, RetryOptions.Default with { InitialBackoff = TimeSpan.Zero });
        var buffer = new byte[16];

        (await retrying.ReadRangeIntoAsync("db/compacted/y.sst", new ByteRange(0, 16), buffer, default)).Should().Be(16);
        flaky.Attempts.Should().Be(3);
        buffer.Should().OnlyContain(b => b == 0x5A);
    }

    private IObjectStore Stack(IObjectStore store) =>
        new RetryingObjectStore(new InstrumentedObjectStore(new ReadLimitingObjectStore(store, maxInFlightReads: 4)));

    /// <summary>A store whose reads into a buffer fail with an I/O error (transient) the first few times.</summary>
    private sealed class FlakyReadInto(int failures) : IObjectStore, IRangeReadInto
    {
        public int Attempts { get; private set; }

        public bool CanReadInto => true;

        public ValueTask<int> ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
        {
            if (++Attempts <= failures)
            {
                return ValueTask.FromException<int>(new IOException("connection reset"));
            }

            destination.Span[..(int)range.Length].Fill(0x5A);
            return ValueTask.FromResult((int)range.Length);
        }

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
