using SlateDB.Common;
using SlateDB.Manifest;

namespace SlateDB.Tests.Manifest;

public sealed class DbPathsTests
{
    private static readonly Ulid Sst = Ulid.Parse("01J79C21YKR31J2BS1EFXJZ7MR");

    [Fact]
    public void Names_objects_as_slatedb_does()
    {
        var paths = new DbPaths("db/orders");
        paths.ManifestPath(1).Should().Be("db/orders/manifest/00000000000000000001.manifest");
        paths.ManifestPath(ulong.MaxValue).Should().Be("db/orders/manifest/18446744073709551615.manifest");
        paths.CompactionsPath(42).Should().Be("db/orders/compactions/00000000000000000042.compactions");
        paths.WalSstPath(3).Should().Be("db/orders/wal/00000000000000000003.sst");
        paths.CompactedSstPath(Sst).Should().Be("db/orders/compacted/01J79C21YKR31J2BS1EFXJZ7MR.sst");
        paths.SstPath(SsTableId.Wal(7)).Should().Be("db/orders/wal/00000000000000000007.sst");
        paths.SstPath(SsTableId.Compacted(Sst)).Should().Be("db/orders/compacted/01J79C21YKR31J2BS1EFXJZ7MR.sst");
        paths.GcBoundaryPath(DbPaths.ManifestFolder).Should().Be("db/orders/gc/manifest.boundary");
        paths.GcBoundaryPath(DbPaths.CompactionsFolder).Should().Be("db/orders/gc/compactions.boundary");
        paths.ManifestDirectory.Should().Be("db/orders/manifest/");
        paths.CompactionsDirectory.Should().Be("db/orders/compactions/");
        paths.WalDirectory.Should().Be("db/orders/wal/");
        paths.CompactedDirectory.Should().Be("db/orders/compacted/");
    }

    [Fact]
    public void An_empty_root_puts_objects_at_the_top_level()
    {
        var paths = new DbPaths("");
        paths.Root.Should().BeEmpty();
        paths.ManifestPath(1).Should().Be("manifest/00000000000000000001.manifest");
        paths.WalDirectory.Should().Be("wal/");
        paths.GcBoundaryPath("manifest").Should().Be("gc/manifest.boundary");
        paths.TryParseSstId("wal/00000000000000000009.sst", out var id).Should().BeTrue();
        id.Should().Be(SsTableId.Wal(9));
    }

    [Fact]
    public void Slashes_around_the_root_are_trimmed_and_bad_roots_rejected()
    {
        new DbPaths("/db/").WalSstPath(1).Should().Be("db/wal/00000000000000000001.sst");
        FluentActions.Invoking(() => new DbPaths("a//b")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new DbPaths("a/../b")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new DbPaths(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Random_ids_parse_back()
    {
        const int seed = 5;
        var random = new Random(seed);
        var paths = new DbPaths("root");
        for (var i = 0; i < 500; i++)
        {
            var number = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
            var ulid = new Ulid((ulong)random.NextInt64(), (ulong)random.NextInt64());
            DbPaths.TryParseManifestId(paths.ManifestPath(number), out var manifestId).Should().BeTrue();
            manifestId.Should().Be(number, $"seed {seed}");
            DbPaths.TryParseCompactionsId(paths.CompactionsPath(number), out var compactionsId).Should().BeTrue();
            compactionsId.Should().Be(number, $"seed {seed}");
            paths.TryParseSstId(paths.WalSstPath(number), out var wal).Should().BeTrue();
            wal.Should().Be(SsTableId.Wal(number), $"seed {seed}");
            paths.TryParseSstId(paths.CompactedSstPath(ulid), out var compacted).Should().BeTrue();
            compacted.Should().Be(SsTableId.Compacted(ulid), $"seed {seed}");
        }
    }

    [Fact]
    public void The_id_is_the_file_name_up_to_its_first_dot()
    {
        DbPaths.TryParseManifestId("00000000000000000005.tmp.manifest", out var id).Should().BeTrue();
        id.Should().Be(5);
        DbPaths.TryParseManifestId("7.manifest", out id).Should().BeTrue();
        id.Should().Be(7);
        new DbPaths("db").TryParseSstId("db/compacted/01J79C21YKR31J2BS1EFXJZ7MR.sst.part", out var sst).Should().BeTrue();
        sst.Should().Be(SsTableId.Compacted(Sst));
    }

    [Theory]
    [InlineData("db/manifest/00000000000000000001.compactions")]
    [InlineData("db/manifest/00000000000000000001")]
    [InlineData("db/manifest/abc.manifest")]
    [InlineData("db/manifest/.manifest")]
    [InlineData("db/manifest/-1.manifest")]
    [InlineData("db/manifest/18446744073709551616.manifest")]
    [InlineData("db/manifest/000000000000000000001.manifest")]
    [InlineData("")]
    public void Unknown_manifest_names_are_not_parsed(string name)
        => DbPaths.TryParseManifestId(name, out _).Should().BeFalse();

    [Theory]
    [InlineData("db/other/00000000000000000001.sst")]
    [InlineData("dbx/wal/00000000000000000001.sst")]
    [InlineData("db/wal/")]
    [InlineData("db/wal/sub/00000000000000000001.sst")]
    [InlineData("db/wal/notanumber.sst")]
    [InlineData("db/compacted/NOTAULID.sst")]
    [InlineData("db/compacted/81J79C21YKR31J2BS1EFXJZ7MR.sst")]
    [InlineData("db/manifest/00000000000000000001.manifest")]
    [InlineData("other/db/wal/00000000000000000001.sst")]
    public void Unknown_sst_names_are_not_parsed(string name)
        => new DbPaths("db").TryParseSstId(name, out _).Should().BeFalse();
}
