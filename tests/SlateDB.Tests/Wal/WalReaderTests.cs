using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Wal;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Wal;

/// <summary>The public WAL reader: files by id range, their metadata, and their rows as written.</summary>
public sealed class WalReaderTests
{
    private static readonly WriteOptions Durable = new() { AwaitDurable = true };

    [Fact]
    public async Task Reads_every_row_written_with_its_kind_sequence_and_times_from_the_store_alone()
    {
        var store = new InMemoryObjectStore();
        var time = NewFakeTime();
        var written = new List<(long Seq, string Key, string? Value, bool Ttl)>();
        await using (var db = await OpenAsync(store, TestOptions() with { WalFlushPolicy = WalFlushPolicy.Eager }, time))
        {
            written.Add(((await db.PutAsync("a", "1", writeOptions: Durable)).Sequence, "a", "1", false));
            written.Add(((await db.DeleteAsync("a", writeOptions: Durable)).Sequence, "a", null, false));
            var batch = new WriteBatch();
            batch.Put("b", "2");
            batch.Put("c", "3", new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromMinutes(1)) });
            var handle = await db.WriteAsync(batch, writeOptions: Durable);
            written.Add((handle.Sequence, "b", "2", false));
            written.Add((handle.Sequence, "c", "3", true));
        }

        var reader = new WalReader("db", store);
        var files = await reader.ListAsync();
        files.Select(f => f.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        var rows = new List<WalRow>();
        foreach (var file in files)
        {
            rows.AddRange(await file.ReadRowsAsync());
        }

        rows.Select(r => (r.Sequence, Text(r.Key.ToArray()), r.Value is { } v ? Text(v.ToArray()) : null, r.ExpireTs is not null))
            .Should().Equal(written.Select(w => (w.Seq, w.Key, w.Value, w.Ttl)));
        rows.Select(r => r.Kind).Should().Equal(WalRowKind.Value, WalRowKind.Tombstone, WalRowKind.Value, WalRowKind.Value);
        rows.Should().OnlyContain(r => r.CreateTs == Epoch.ToUnixTimeMilliseconds());
        rows[3].ExpireTs.Should().Be(Epoch.ToUnixTimeMilliseconds() + 60_000);

        var first = files[0];
        var meta = await first.GetMetadataAsync();
        meta!.Location.Should().Be(new DbPaths("db").WalSstPath(first.Id));
        meta.SizeBytes.Should().BeGreaterThan(0);
        (await reader.ListAsync(first.Id + 1, files[^1].Id)).Select(f => f.Id).Should().Equal(files.Skip(1).SkipLast(1).Select(f => f.Id));
        first.NextFile().Id.Should().Be(first.NextId).And.Be(first.Id + 1);

        var missing = reader.Get(files[^1].Id + 100);
        (await missing.GetMetadataAsync()).Should().BeNull();
        var read = () => missing.ReadRowsAsync();
        (await read.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public async Task An_open_database_gives_a_reader_of_its_own_wal()
    {
        var store = new InMemoryObjectStore();
        await using var db = await OpenAsync(store, TestOptions());
        var handle = await db.PutAsync("k", "v", writeOptions: Durable);
        var reader = db.WalReader();
        var rows = new List<WalRow>();
        foreach (var file in await reader.ListAsync())
        {
            rows.AddRange(await file.ReadRowsAsync());
        }

        rows.Should().ContainSingle(r => r.Sequence == handle.Sequence && r.Kind == WalRowKind.Value);
    }

    [Fact]
    public async Task Merge_operands_and_fences_read_as_such()
    {
        var store = new InMemoryObjectStore();
        var wal = new ObjectStoreWal(store, new DbPaths("db"), SstBuildSettings.From(SlateDbOptions.Default));
        (await wal.TryWriteFenceAsync(1, default)).Should().BeTrue();
        (await wal.TryWriteAsync(2, [RowEntry.MergeOperand(Bytes("k"), Bytes("+1"), 7, createTs: 5)], 0, default)).Should().NotBeNull();
        await store.PutAsync(new DbPaths("db").WalSstPath(3), ReadOnlyMemory<byte>.Empty, PutMode.Create, default);

        var reader = new WalReader("db", store);
        (await reader.Get(1).ReadRowsAsync()).Should().BeEmpty("a fence holds no rows");
        (await reader.Get(3).ReadRowsAsync()).Should().BeEmpty("a zero-byte fence of a newer SlateDB holds no rows");
        var merge = (await reader.Get(2).ReadRowsAsync()).Should().ContainSingle().Subject;
        merge.Kind.Should().Be(WalRowKind.Merge);
        Text(merge.Value!.Value.ToArray()).Should().Be("+1");
        merge.Sequence.Should().Be(7);
    }
}
