using SlateDB.Storage;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Db;

/// <summary>The write path's copies: callers may reuse their buffers once a write call returns.</summary>
public sealed class SlateDbWriteTests
{
    [Fact]
    public async Task Buffers_reused_after_a_put_or_a_batch_do_not_change_what_was_written()
    {
        var store = new InMemoryObjectStore();
        await using (var db = await OpenAsync(store, TestOptions()))
        {
            var key = Bytes("key-1");
            var value = Bytes("value-1");
            await db.PutAsync(key, value);
            key[4] = (byte)'2';
            value[6] = (byte)'2';
            await db.PutAsync(key, value);

            var batch = new WriteBatch();
            var batchKey = Bytes("batch-a");
            var batchValue = Bytes("first");
            batch.Put(batchKey, batchValue);
            batchKey[6] = (byte)'b';
            batchValue[0] = (byte)'F';
            batch.Put(batchKey, batchValue);
            await db.WriteAsync(batch);
            batchValue[0] = (byte)'X';

            Text(await db.GetAsync(Bytes("key-1"))).Should().Be("value-1");
            Text(await db.GetAsync(Bytes("key-2"))).Should().Be("value-2");
            Text(await db.GetAsync(Bytes("batch-a"))).Should().Be("first");
            Text(await db.GetAsync(Bytes("batch-b"))).Should().Be("First");
            await db.FlushAsync();
        }

        // The WAL holds the same bytes: a reopened database replays them.
        await using var reopened = await OpenAsync(store, TestOptions());
        Text(await reopened.GetAsync(Bytes("key-1"))).Should().Be("value-1");
        Text(await reopened.GetAsync(Bytes("batch-b"))).Should().Be("First");
    }

    [Fact]
    public async Task A_batch_writes_each_key_once_with_its_last_operation()
    {
        await using var db = await OpenAsync(new InMemoryObjectStore(), TestOptions());
        var batch = new WriteBatch();
        for (var i = 0; i < 100; i++)
        {
            batch.Put($"k{i % 30}", $"v{i}");
        }

        batch.Delete("k3");
        batch.Count.Should().Be(30);
        var handle = await db.WriteAsync(batch);

        Text(await db.GetAsync(Bytes("k0"))).Should().Be("v90");
        Text(await db.GetAsync(Bytes("k29"))).Should().Be("v89");
        (await db.GetAsync(Bytes("k3"))).Should().BeNull();
        var rows = new List<string>();
        await foreach (var row in db.ScanAsync(KeyRange.All))
        {
            rows.Add(Text(row.Key.ToArray()));
        }

        rows.Should().HaveCount(29);
        handle.Sequence.Should().BeGreaterThan(0);
    }
}
