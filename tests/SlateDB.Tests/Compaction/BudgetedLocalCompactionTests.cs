using SlateDB.Storage;
using SlateDB.Tests.Storage;

namespace SlateDB.Tests.Compaction;

/// <summary>
/// End to end over the local folder store, where compaction reads go into pooled buffers through the database's
/// decorators: with and without a memory budget (shared pool, small reads), every row survives compactions that
/// overwrite and delete, read back by gets and a scan, also after a reopen.
/// </summary>
public sealed class BudgetedLocalCompactionTests() : LocalFolderTest("slatedb-budget-compaction-")
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Compactions_reading_into_pooled_buffers_keep_every_row(bool budgeted)
    {
        const int Keys = 30_000;
        var options = budgeted
            ? SlateDbOptions.Default with { MemoryBudgetBytes = 16L * 1024 * 1024 }
            : SlateDbOptions.Default with { L0SstSizeBytes = 1024 * 1024, MaxUnflushedBytes = 8L * 1024 * 1024 };
        var noWait = new WriteOptions { AwaitDurable = false };
        await using (var db = await SlateDb.Builder("db", new LocalFileSystemObjectStore(Folder.FullName)).WithOptions(options).WithBlockCacheDisabled().WithSeed(9).OpenAsync())
        {
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < Keys; i++)
                {
                    if (round == 2 && i % 7 == 0)
                    {
                        await db.DeleteAsync(Key(i), noWait);
                    }
                    else
                    {
                        await db.PutAsync(Key(i), Value(i, round), writeOptions: noWait);
                    }
                }

                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            }

            (await db.CompactFullAsync()).Should().NotBeNull();
            await VerifyAsync(db);
            await db.CloseAsync();
        }

        await using var reopened = await SlateDb.Builder("db", new LocalFileSystemObjectStore(Folder.FullName)).WithOptions(options).WithSeed(10).OpenAsync();
        await VerifyAsync(reopened);

        static async Task VerifyAsync(SlateDb db)
        {
            for (var i = 0; i < Keys; i += 13)
            {
                var value = await db.GetAsync(Key(i));
                if (i % 7 == 0)
                {
                    value.Should().BeNull($"key {i} was deleted");
                }
                else
                {
                    value.Should().Equal(Value(i, 2), $"key {i} holds its last value");
                }
            }

            var seen = 0;
            await foreach (var row in db.ScanAsync(KeyRange.All))
            {
                var i = BitConverter.ToInt32(row.Key.Span);
                (i % 7).Should().NotBe(0);
                row.Value.ToArray().Should().Equal(Value(i, 2));
                seen++;
            }

            seen.Should().Be(Keys - ((Keys + 6) / 7));
        }
    }

    private static byte[] Key(int i) => BitConverter.GetBytes(i);

    private static byte[] Value(int i, int round)
    {
        var value = new byte[64];
        value.AsSpan().Fill((byte)(i + round));
        BitConverter.TryWriteBytes(value, i * 31 + round);
        return value;
    }
}
