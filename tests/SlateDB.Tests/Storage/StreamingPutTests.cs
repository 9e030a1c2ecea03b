using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage;

/// <summary>
/// Streaming puts (<see cref="IStreamingPut"/>, what a compaction writes its output SSTs through): the object appears
/// whole on commit or not at all; an abandoned or cancelled put leaves nothing behind (no object, no temporary file);
/// create-if-absent never overwrites.
/// </summary>
public sealed class StreamingPutTests() : LocalFolderTest("slatedb-streaming-")
{
    private string Root => Folder.FullName;

    public static TheoryData<string> Stores => ["local", "memory", "decorated local"];

    /// <summary>The local or in-memory store; "decorated": the local store under a database's decorators (instrumentation, retries), which pass streaming puts on.</summary>
    private IObjectStore NewStore(string kind) => kind switch
    {
        "local" => new LocalFileSystemObjectStore(Root),
        "memory" => new InMemoryObjectStore(),
        _ => new RetryingObjectStore(new InstrumentedObjectStore(new LocalFileSystemObjectStore(Root))),
    };

    /// <summary>Every file under the local store's folder (objects and temporary files alike); none for the in-memory store.</summary>
    private string[] Files() => Directory.Exists(Root)
        ? Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).StartsWith('#')).ToArray()
        : [];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_committed_put_holds_every_piece_in_order(string kind)
    {
        var store = NewStore(kind);
        using var writer = ((IStreamingPut)store).TryStartPut("a/b.sst")!;
        writer.Write("hello "u8);
        writer.Write("streaming "u8);
        writer.Write("world"u8);
        (await store.HeadAsync("a/b.sst", CancellationToken.None)).Should().BeNull("nothing is visible before the commit");

        var result = await writer.CommitAsync(PutMode.Create, CancellationToken.None);

        result.IsWritten.Should().BeTrue();
        var content = await store.GetAsync("a/b.sst", CancellationToken.None);
        System.Text.Encoding.UTF8.GetString(content!.Data.Span).Should().Be("hello streaming world");
        writer.Length.Should().Be(21);
        if (kind != "memory")
        {
            Files().Should().ContainSingle("only the object is left, no temporary file");
        }
    }

    [Fact]
    public void A_decorator_over_a_store_that_cannot_stream_does_not_stream()
    {
        IStreamingPut store = new RetryingObjectStore(new InstrumentedObjectStore(new PassThroughStore(new InMemoryObjectStore())));

        store.TryStartPut("a/b.sst").Should().BeNull();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task An_abandoned_put_leaves_nothing(string kind)
    {
        var store = NewStore(kind);
        var writer = ((IStreamingPut)store).TryStartPut("a/b.sst")!;
        writer.Write(new byte[3 * 1024 * 1024]);
        writer.Dispose();

        (await store.HeadAsync("a/b.sst", CancellationToken.None)).Should().BeNull();
        Files().Should().BeEmpty();
        var act = () => writer.CommitAsync(PutMode.Create, CancellationToken.None).AsTask();
        await act.Should().ThrowAsync<InvalidOperationException>();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Create_keeps_an_existing_object(string kind)
    {
        var store = NewStore(kind);
        (await store.PutAsync("a/b.sst", "existing"u8.ToArray(), PutMode.Create, CancellationToken.None)).IsWritten.Should().BeTrue();
        using var writer = ((IStreamingPut)store).TryStartPut("a/b.sst")!;
        writer.Write("replacement"u8);

        var result = await writer.CommitAsync(PutMode.Create, CancellationToken.None);

        result.Outcome.Should().Be(PutOutcome.AlreadyExists);
        var content = await store.GetAsync("a/b.sst", CancellationToken.None);
        System.Text.Encoding.UTF8.GetString(content!.Data.Span).Should().Be("existing");
        if (kind != "memory")
        {
            Files().Should().ContainSingle();
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_commit_cancelled_before_it_publishes_leaves_nothing(string kind)
    {
        var store = NewStore(kind);
        using var writer = ((IStreamingPut)store).TryStartPut("a/b.sst")!;
        writer.Write(new byte[1024]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = () => writer.CommitAsync(PutMode.Create, cancelled.Token).AsTask();

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await store.HeadAsync("a/b.sst", CancellationToken.None)).Should().BeNull();
        Files().Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_compacted_sst_cancelled_mid_write_or_abandoned_leaves_nothing_and_a_finished_one_reads_back(string kind)
    {
        var store = NewStore(kind);
        var paths = new DbPaths("db");
        var tables = new TableStore(store, paths, SlateDbOptions.Default, cache: null);
        var ids = new IdGenerator(TimeProvider.System, 3);

        // Enough rows that data blocks were written out before the end (3 MB of values, 1 MB chunks).
        SstBuilder Fill(Ulid id)
        {
            var builder = tables.NewCompactedBuilder(id, tables.Settings, 64 * 1024);
            for (var i = 0; i < 30_000; i++)
            {
                builder.Add(RowEntry.Put(System.Text.Encoding.UTF8.GetBytes($"key{i:D8}"), new byte[100], (ulong)i + 1));
            }

            builder.Sink.Should().NotBeNull();
            builder.Sink!.Length.Should().BeGreaterThan(0, "data blocks went out while the SST was built");
            return builder;
        }

        var cancelledId = ids.NewUlid();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var write = () => tables.WriteCompactedAsync(cancelledId, Fill(cancelledId), cancelled.Token);
        await write.Should().ThrowAsync<OperationCanceledException>();
        (await store.HeadAsync(paths.CompactedSstPath(cancelledId), CancellationToken.None)).Should().BeNull();

        var abandonedId = ids.NewUlid();
        TableStore.Abandon(Fill(abandonedId));
        (await store.HeadAsync(paths.CompactedSstPath(abandonedId), CancellationToken.None)).Should().BeNull();
        Files().Should().BeEmpty();

        var id = ids.NewUlid();
        var handle = await tables.WriteCompactedAsync(id, Fill(id), CancellationToken.None);
        var rows = await Compaction.CompactionTestKit.ReadViewAsync(tables, SsTableView.Identity(handle));
        rows.Should().HaveCount(30_000);
        handle.Info.FirstEntry!.Value.ToArray().Should().Equal(System.Text.Encoding.UTF8.GetBytes("key00000000"));

        // Create-if-absent: the same id again fails and keeps the SST.
        var again = () => tables.WriteCompactedAsync(id, Fill(id), CancellationToken.None);
        (await again.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Internal);
        (await Compaction.CompactionTestKit.ReadViewAsync(tables, SsTableView.Identity(handle))).Should().HaveCount(30_000);
        if (kind != "memory")
        {
            Files().Should().ContainSingle();
        }
    }
}
