using Google.FlatBuffers;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using Fb = SlateDB.Format.FlatBuffers;
using ManifestCodec = SlateDB.Manifest.Codec.ManifestCodec;

namespace SlateDB.Tests.Manifest;

public sealed class ManifestCodecTests
{
    private const string Name = "db/manifest/00000000000000000007.manifest";

    [Fact]
    public void A_new_database_manifest_round_trips_as_version_1()
    {
        var manifest = DbManifest.Initial(new ManifestCore());
        var bytes = ManifestCodec.Encode(manifest);
        bytes[..2].Should().Equal(0, 1);
        var decoded = ManifestCodec.Decode(bytes, Name);
        decoded.Should().Be(manifest);
        decoded.Core.LastL0ClockTick.Should().Be(long.MinValue);
        decoded.Core.NextWalSstId.Should().Be(1);
        decoded.Core.Initialized.Should().BeTrue();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_version_1_manifests_round_trip(int seed)
    {
        var generator = new ModelGenerator(seed);
        for (var i = 0; i < 200; i++)
        {
            var manifest = generator.ManifestV1(maxSsts: i % 20);
            var bytes = ManifestCodec.Encode(manifest);
            bytes[..2].Should().Equal([0, 1], $"seed {seed}, case {i}");
            ManifestCodec.Decode(bytes, Name).Should().Be(manifest, $"seed {seed}, case {i}");
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Random_version_2_manifests_round_trip(int seed)
    {
        var generator = new ModelGenerator(seed);
        for (var i = 0; i < 200; i++)
        {
            var manifest = generator.ManifestV2(maxSsts: i % 12, maxSegments: i % 4);
            var bytes = ManifestCodec.EncodeV2(manifest);
            bytes[..2].Should().Equal([0, 2], $"seed {seed}, case {i}");
            ManifestCodec.Decode(bytes, Name).Should().Be(manifest, $"seed {seed}, case {i}");
            if (manifest.Core.RequiresVersion2)
            {
                ManifestCodec.Encode(manifest).Should().Equal(bytes, $"seed {seed}, case {i}: segments need version 2");
            }
        }
    }

    [Fact]
    public void A_manifest_with_many_ssts_round_trips()
    {
        var generator = new ModelGenerator(21);
        var manifest = generator.ManifestV1(maxSsts: 400);
        ManifestCodec.Decode(ManifestCodec.Encode(manifest), Name).Should().Be(manifest);
        var v2 = generator.ManifestV2(maxSsts: 400, maxSegments: 8);
        ManifestCodec.Decode(ManifestCodec.EncodeV2(v2), Name).Should().Be(v2);
    }

    [Fact]
    public void Version_2_lists_each_sst_once_sorted_by_id()
    {
        var manifest = new ModelGenerator(5).ManifestV2(maxSsts: 10, maxSegments: 3);
        var bytes = ManifestCodec.EncodeV2(manifest);
        var fb = Fb.ManifestV2.GetRootAsManifestV2(new ByteBuffer(bytes, 2));
        var ids = Enumerable.Range(0, fb.SstsLength).Select(i => new Ulid(fb.Ssts(i)!.Value.Id!.Value.High, fb.Ssts(i)!.Value.Id!.Value.Low)).ToList();
        var expected = manifest.Core.Trees.SelectMany(t => t.AllViews).Select(v => v.Sst.Id.CompactedId).Distinct().Order().ToList();
        ids.Should().Equal(expected);
    }

    [Fact]
    public void Version_1_drops_view_ids_and_keeps_the_last_compacted_sst_id()
    {
        var generator = new ModelGenerator(8);
        var handle = new SsTableHandle(SsTableId.Compacted(generator.NewUlid()), 2, generator.Info(forView: true));
        var view = new SsTableView(generator.NewUlid(), handle, null);
        var core = new ManifestCore { Tree = new LsmTreeState(view.Id, handle.Id.CompactedId, [view], []) };
        var decoded = ManifestCodec.Decode(ManifestCodec.Encode(DbManifest.Initial(core)), Name);
        decoded.Core.Tree.L0.Single().Id.Should().Be(handle.Id.CompactedId);
        decoded.Core.Tree.LastCompactedL0SstId.Should().Be(handle.Id.CompactedId);
        decoded.Core.Tree.LastCompactedL0SstViewId.Should().Be(handle.Id.CompactedId);
    }

    [Fact]
    public void Version_2_keeps_view_ids_but_not_the_wal_store_uri()
    {
        var generator = new ModelGenerator(9);
        var handle = new SsTableHandle(SsTableId.Compacted(generator.NewUlid()), 2, generator.Info(forView: true));
        var view = new SsTableView(generator.NewUlid(), handle, null);
        var core = new ManifestCore { Tree = new LsmTreeState(view.Id, handle.Id.CompactedId, [view], []), WalObjectStoreUri = "s3://wal" };
        var decoded = ManifestCodec.Decode(ManifestCodec.EncodeV2(DbManifest.Initial(core)), Name);
        decoded.Core.Tree.L0.Single().Id.Should().Be(view.Id);
        decoded.Core.Tree.LastCompactedL0SstViewId.Should().Be(view.Id);
        decoded.Core.Tree.LastCompactedL0SstId.Should().BeNull();
        decoded.Core.WalObjectStoreUri.Should().BeNull();
    }

    [Fact]
    public void Encoding_rejects_states_it_cannot_store()
    {
        var generator = new ModelGenerator(4);
        var segmented = generator.ManifestV2(maxSsts: 2, maxSegments: 0);
        segmented = segmented with { Core = segmented.Core with { SegmentExtractorName = "x" } };
        FluentActions.Invoking(() => ManifestCodec.EncodeV1(segmented)).Should().Throw<ArgumentException>();

        var walHandle = new SsTableHandle(SsTableId.Wal(3), 1, new SsTableInfoModel { FirstEntry = new byte[8] });
        var withWal = DbManifest.Initial(new ManifestCore { Tree = new LsmTreeState(null, null, [SsTableView.Identity(walHandle)], []) });
        FluentActions.Invoking(() => ManifestCodec.Encode(withWal)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ManifestCodec.EncodeV2(withWal)).Should().Throw<ArgumentException>();

        var noWalId = DbManifest.Initial(new ManifestCore { NextWalSstId = 0 });
        FluentActions.Invoking(() => ManifestCodec.Encode(noWalId)).Should().Throw<ArgumentException>();

        var badTime = DbManifest.Initial(new ManifestCore { Checkpoints = [new Checkpoint(Guid.Empty, 1, null, DateTimeOffset.FromUnixTimeSeconds(-5), null)] });
        FluentActions.Invoking(() => ManifestCodec.Encode(badTime)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0, 3, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 1 })]
    [InlineData(new byte[] { 0, 2, 4, 0, 0, 0 })]
    public void Bad_prefixes_and_empty_bodies_are_corrupt_data(byte[] bytes)
    {
        var act = () => ManifestCodec.Decode(bytes, Name);
        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains(Name, StringComparison.Ordinal));
    }

    [Fact]
    public void Checkpoint_times_and_names_round_trip()
    {
        var checkpoints = new[]
        {
            new Checkpoint(Guid.Parse("a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8"), 1, null, DateTimeOffset.FromUnixTimeSeconds(100), null),
            new Checkpoint(Guid.Parse("00000000-0000-0000-0000-000000000001"), 2, DateTimeOffset.FromUnixTimeSeconds(1000), DateTimeOffset.FromUnixTimeSeconds(200), "test_checkpoint"),
            new Checkpoint(Guid.Empty, ulong.MaxValue, DateTimeOffset.FromUnixTimeSeconds(uint.MaxValue), DateTimeOffset.FromUnixTimeSeconds(uint.MaxValue), ""),
        };
        var manifest = DbManifest.Initial(new ManifestCore { Checkpoints = checkpoints });
        ManifestCodec.Decode(ManifestCodec.Encode(manifest), Name).Core.Checkpoints.Should().Equal(checkpoints);
        ManifestCodec.Decode(ManifestCodec.EncodeV2(manifest), Name).Core.Checkpoints.Should().Equal(checkpoints);
    }

    [Fact]
    public void Sub_second_checkpoint_times_are_stored_in_whole_seconds()
    {
        var checkpoint = new Checkpoint(Guid.Empty, 1, DateTimeOffset.FromUnixTimeMilliseconds(5_999), DateTimeOffset.FromUnixTimeMilliseconds(2_500), null);
        var decoded = ManifestCodec.Decode(ManifestCodec.Encode(DbManifest.Initial(new ManifestCore { Checkpoints = [checkpoint] })), Name);
        decoded.Core.Checkpoints.Single().Should().Be(checkpoint with
        {
            ExpireTime = DateTimeOffset.FromUnixTimeSeconds(5),
            CreateTime = DateTimeOffset.FromUnixTimeSeconds(2),
        });
    }

    [Fact]
    public void External_databases_round_trip_and_are_omitted_when_empty()
    {
        var generator = new ModelGenerator(31);
        var external = new ExternalDb("parent/db", Guid.Parse("67e55044-10b1-426f-9247-bb680e5fe0c8"), null, [SsTableId.Compacted(generator.NewUlid())]);
        var manifest = DbManifest.Initial(new ManifestCore()) with { ExternalDbs = [external] };
        ManifestCodec.Decode(ManifestCodec.Encode(manifest), Name).ExternalDbs.Should().Equal(external);

        var empty = ManifestCodec.Encode(DbManifest.Initial(new ManifestCore()));
        Fb.ManifestV1.GetRootAsManifestV1(new ByteBuffer(empty, 2)).ExternalDbsLength.Should().Be(0);
    }

    [Fact]
    public void Views_naming_unlisted_ssts_are_corrupt()
    {
        var builder = new FlatBufferBuilder(256);
        var view = Fb.CompactedSsTableView.CreateCompactedSsTableView(builder, Fb.Ulid.CreateUlid(builder, 1, 2), Fb.Ulid.CreateUlid(builder, 3, 4));
        var l0 = Fb.ManifestV2.CreateL0Vector(builder, [view]);
        var root = Fb.ManifestV2.CreateManifestV2(
            builder,
            sstsOffset: Fb.ManifestV2.CreateSstsVector(builder, []),
            l0Offset: l0,
            compactedOffset: Fb.ManifestV2.CreateCompactedVector(builder, []),
            checkpointsOffset: Fb.ManifestV2.CreateCheckpointsVector(builder, []));
        builder.Finish(root.Value);
        var act = () => ManifestCodec.Decode(ManifestFixtures.WithVersion(2, builder.SizedByteArray()), Name);
        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("does not list", StringComparison.Ordinal));
    }
}
