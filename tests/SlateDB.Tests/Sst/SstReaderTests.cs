using SlateDB.Storage;

namespace SlateDB.Tests.Sst;

/// <summary>The public <see cref="SstReader"/>: opening a database's SSTs and checking every checksum in them.</summary>
public sealed class SstReaderTests
{
    private static async Task<(InMemoryObjectStore Store, ManifestInfo Manifest)> DatabaseAsync()
    {
        var store = new InMemoryObjectStore();
        var options = SlateDbOptions.Default with { CompactorOptions = null, GarbageCollectorOptions = null, MinFilterKeys = 10, FlushInterval = null };
        await using (var db = await SlateDb.OpenAsync("db", store, options))
        {
            for (var i = 0; i < 500; i++)
            {
                await db.PutAsync($"k{i:D4}", $"v{i:D4}");
            }

            await db.DeleteAsync("k0001");
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        return (store, await SlateDbAdmin.For("db", store).ReadManifestAsync());
    }

    [Fact]
    public async Task Opens_an_sst_by_id_and_reads_its_info_index_filter_statistics_and_rows()
    {
        var (store, manifest) = await DatabaseAsync();
        var reader = SstReader.For("db", store);
        var id = manifest.L0[^1].Id;
        var sst = await reader.OpenAsync(id);

        sst.ObjectPath.Should().Be($"db/compacted/{id}.sst");
        sst.FormatVersion.Should().Be(2);
        sst.Info.Kind.Should().Be("compacted");
        sst.Info.FirstKey!.Value.ToArray().Should().Equal("k0000"u8.ToArray());
        sst.Filter.Should().NotBeNull();
        sst.FilterMightContain("k0042"u8).Should().BeTrue();
        sst.Index.Should().NotBeEmpty();
        sst.Index.Select(e => e.Offset).Should().BeInAscendingOrder();

        var stats = await sst.ReadStatisticsAsync();
        stats!.Puts.Should().Be(499);
        stats.Deletes.Should().Be(1);
        stats.Blocks.Should().HaveCount(sst.Index.Count);

        var rows = new List<SstRow>();
        await foreach (var row in sst.ReadRowsAsync())
        {
            rows.Add(row);
        }

        rows.Should().HaveCount(500);
        rows.Single(r => r.Key.Span.SequenceEqual("k0001"u8)).Kind.Should().Be(WalRowKind.Tombstone);
        (await sst.ReadBlockAsync(0)).Should().HaveCount(stats.Blocks[0].Puts + stats.Blocks[0].Deletes + stats.Blocks[0].Merges);
        await FluentActions.Invoking(() => sst.ReadBlockAsync(sst.Index.Count)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Names_wal_and_compacted_ssts_and_rejects_other_ids()
    {
        var (store, manifest) = await DatabaseAsync();
        var reader = SstReader.For("db", store);
        reader.ObjectPathOf("7").Should().Be("db/wal/00000000000000000007.sst");
        reader.ObjectPathOf(manifest.L0[0].Id).Should().Be($"db/compacted/{manifest.L0[0].Id}.sst");
        FluentActions.Invoking(() => reader.ObjectPathOf("not-an-id")).Should().Throw<ArgumentException>();
        var wal = await reader.OpenAsync("2");
        wal.Info.StatsLength.Should().Be(0);
        (await wal.ReadStatisticsAsync()).Should().BeNull();
    }

    [Fact]
    public async Task Verify_checks_every_checksum_and_names_the_damaged_object()
    {
        var (store, manifest) = await DatabaseAsync();
        var reader = SstReader.For("db", store);
        var path = reader.ObjectPathOf(manifest.L0[0].Id);
        var good = await reader.VerifyAsync(path);
        good.Ok.Should().BeTrue(good.Error);
        good.Rows.Should().Be(500);
        good.Blocks.Should().BeGreaterThan(0);

        var bytes = (await store.GetAsync(path, CancellationToken.None))!.Data.ToArray();
        foreach (var offset in new[] { 3, bytes.Length / 2, bytes.Length - 15 })
        {
            var damaged = (byte[])bytes.Clone();
            damaged[offset] ^= 0x10;
            await store.PutAsync(path, damaged, PutMode.Overwrite, CancellationToken.None);
            var check = await reader.VerifyAsync(path);
            check.Ok.Should().BeFalse($"a flipped byte at {offset} is found");
            check.Error.Should().Contain(path);
        }

        (await reader.VerifyAsync("db/compacted/missing.sst")).Error.Should().Contain("missing");
    }
}
