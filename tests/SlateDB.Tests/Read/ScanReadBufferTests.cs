using SlateDB.Storage;
using SlateDB.Tests.Storage;

namespace SlateDB.Tests.Read;

/// <summary>
/// A scan's large reads that the cache does not keep go through a pooled buffer (<c>TableStore.ThroughPool</c>): the
/// rows a scan hands out own their bytes, so later reads into the same buffer never change them.
/// </summary>
public sealed class ScanReadBufferTests() : LocalFolderTest("slatedb-scan-buffers-")
{
    private const int Rows = 20_000;

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Lz4)]
    public async Task Rows_a_scan_handed_out_stay_intact_while_later_scans_reuse_its_read_buffer(CompressionCodec codec)
    {
        var options = SlateDbOptions.Default with { CompressionCodec = codec, FlushInterval = null };
        await WriteRowsAsync(options);

        // Reopened: nothing cached, so every block of the scans below is read (in reads that grow to 256 KiB).
        await using var db = await SlateDb.OpenAsync("db", new LocalFileSystemObjectStore(Folder.FullName), options);
        var held = new List<KeyValue>();
        await foreach (var row in db.ScanAsync(KeyRange.Between(Key(0), Key(Rows / 2))))
        {
            held.Add(row);
        }

        // Other rows, read into the buffers the first scan returned to the pool.
        for (var pass = 0; pass < 3; pass++)
        {
            var seen = 0;
            await foreach (var row in db.ScanAsync(KeyRange.Between(Key(Rows / 2), Key(Rows))))
            {
                row.Value.ToArray().Should().Equal(Value(Rows / 2 + seen));
                seen++;
            }

            seen.Should().Be(Rows / 2);
        }

        held.Should().HaveCount(Rows / 2);
        for (var i = 0; i < held.Count; i++)
        {
            held[i].Key.ToArray().Should().Equal(Key(i), $"row {i} after later scans");
            held[i].Value.ToArray().Should().Equal(Value(i), $"row {i} after later scans");
        }
    }

    [Fact]
    public async Task A_truncated_sst_fails_a_large_scan_read_as_corrupt()
    {
        var options = SlateDbOptions.Default with { FlushInterval = null };
        await WriteRowsAsync(options);

        await using var db = await SlateDb.OpenAsync("db", new LocalFileSystemObjectStore(Folder.FullName), options);
        var sst = Directory.GetFiles(Path.Combine(Folder.FullName, "db", "compacted"), "*.sst").Should().ContainSingle().Subject;
        // Cut the SST in its data blocks (its metadata was read at open): a read-ahead then comes back short.
        using (var file = new FileStream(sst, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        {
            file.SetLength(file.Length / 3);
        }

        var scan = async () =>
        {
            await foreach (var _ in db.ScanAsync(KeyRange.All, new ScanOptions { ReadAheadBytes = 256 * 1024 }))
            {
            }
        };
        (await scan.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    /// <summary>Writes the rows and flushes them into one L0 SST, then closes the database.</summary>
    private async Task WriteRowsAsync(SlateDbOptions options)
    {
        await using var writer = await SlateDb.OpenAsync("db", new LocalFileSystemObjectStore(Folder.FullName), options);
        var batch = new WriteBatch();
        for (var i = 0; i < Rows; i++)
        {
            batch.Put(Key(i), Value(i));
        }

        await writer.WriteAsync(batch);
        await writer.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
    }

    private static byte[] Key(int i) => System.Text.Encoding.ASCII.GetBytes($"key-{i:D8}");

    private static byte[] Value(int i)
    {
        var value = new byte[100];
        new Random(i).NextBytes(value);
        return value;
    }
}
