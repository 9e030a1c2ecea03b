using Google.FlatBuffers;
using SlateDB.Common;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using CompactionsCodec = SlateDB.Manifest.Codec.CompactionsCodec;
using Fb = SlateDB.Format.FlatBuffers;

namespace SlateDB.Tests.Manifest;

public sealed class CompactionsCodecTests
{
    private const string Name = "db/compactions/00000000000000000003.compactions";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_states_round_trip(int seed)
    {
        var generator = new ModelGenerator(seed);
        for (var i = 0; i < 300; i++)
        {
            var state = generator.Compactions(maxCompactions: i % 8);
            var bytes = CompactionsCodec.Encode(state);
            var needsVersion2 = state.Compactions.Any(c => c.Spec is not TieredCompactionSpec t || t.Destination != ModelGenerator.InferredDestination(t.Sources));
            bytes[..2].Should().Equal([0, (byte)(needsVersion2 ? 2 : 1)], $"seed {seed}, case {i}");
            CompactionsCodec.Decode(bytes, Name).Should().Be(state, $"seed {seed}, case {i}");
            CompactionsCodec.Decode(CompactionsCodec.Encode(state, CompactionsCodec.Version2), Name).Should().Be(state, $"seed {seed}, case {i}");
        }
    }

    [Fact]
    public void An_empty_state_round_trips_as_version_1()
    {
        var state = new CompactionsState(7, []);
        var bytes = CompactionsCodec.Encode(state);
        bytes[..2].Should().Equal(0, 1);
        CompactionsCodec.Decode(bytes, Name).Should().Be(state);
    }

    [Fact]
    public void Version_1_infers_the_destination_from_sorted_run_inputs()
    {
        var id = Ulid.Parse("01ARZ3NDEKTSV4RRFFQ69G5FAV");
        var spec = new TieredCompactionSpec(Array.Empty<byte>(), [CompactionSource.SortedRun(9), CompactionSource.SortedRun(4)], 17);
        var state = new CompactionsState(1, [new CompactionRecord(id, spec, CompactionStatus.Submitted, [], null, null)]);
        var decoded = CompactionsCodec.Decode(CompactionsCodec.Encode(state, CompactionsCodec.Version1), Name);
        decoded.Compactions.Single().Spec.Should().Be(spec with { Destination = 4 });
        CompactionsCodec.Encode(state)[1].Should().Be(2, "a destination version 1 cannot express needs version 2");
    }

    [Fact]
    public void Outputs_of_unfinished_compactions_are_dropped_on_read()
    {
        var generator = new ModelGenerator(5);
        var outputs = new[] { new SsTableHandle(SsTableId.Compacted(generator.NewUlid()), 2, generator.Info(forView: false)) };
        foreach (var status in Enum.GetValues<CompactionStatus>())
        {
            var record = new CompactionRecord(generator.NewUlid(), new TieredCompactionSpec(Array.Empty<byte>(), [], 0), status, outputs, null, null);
            var decoded = CompactionsCodec.Decode(CompactionsCodec.Encode(new CompactionsState(1, [record])), Name).Compactions.Single();
            var kept = status is CompactionStatus.Compacted or CompactionStatus.Completed or CompactionStatus.Failed;
            decoded.OutputSsts.Should().HaveCount(kept ? 1 : 0, $"status {status}");
        }
    }

    [Fact]
    public void Old_specs_name_l0_ssts_and_unknown_statuses_read_as_submitted()
    {
        var builder = new FlatBufferBuilder(256);
        var sst = Fb.Ulid.CreateUlid(builder, 5, 6);
        var ssts = Fb.TieredCompactionSpec.CreateSstsVector(builder, [sst]);
        var runs = Fb.TieredCompactionSpec.CreateSortedRunsVectorBlock(builder, [3u, 2u]);
        var spec = Fb.TieredCompactionSpec.CreateTieredCompactionSpec(builder, ssts, runs);
        var id = Fb.Ulid.CreateUlid(builder, 1, 2);
        Fb.Compaction.StartCompaction(builder);
        Fb.Compaction.AddId(builder, id);
        Fb.Compaction.AddSpecType(builder, Fb.CompactionSpec.TieredCompactionSpec);
        Fb.Compaction.AddSpec(builder, spec.Value);
        builder.AddSbyte(3, 42, 0); // a status code this version does not know
        var compaction = Fb.Compaction.EndCompaction(builder);
        var root = Fb.CompactionsV1.CreateCompactionsV1(builder, 8, Fb.CompactionsV1.CreateRecentCompactionsVector(builder, [compaction]));
        builder.Finish(root.Value);

        var state = CompactionsCodec.Decode(ManifestFixtures.WithVersion(1, builder.SizedByteArray()), Name);

        state.CompactorEpoch.Should().Be(8);
        var record = state.Compactions.Single();
        record.Id.Should().Be(new Ulid(1, 2));
        record.Status.Should().Be(CompactionStatus.Submitted);
        record.Worker.Should().BeNull();
        record.Context.Should().BeNull();
        record.Spec.Should().Be(new TieredCompactionSpec(
            Array.Empty<byte>(),
            [CompactionSource.SstView(new Ulid(5, 6)), CompactionSource.SortedRun(3), CompactionSource.SortedRun(2)],
            2));
    }

    [Fact]
    public void Unknown_spec_and_context_types_are_corrupt()
    {
        foreach (var (specType, contextType) in new[] { ((byte)3, (byte)0), ((byte)1, (byte)2) })
        {
            var builder = new FlatBufferBuilder(256);
            var spec = Fb.TieredCompactionSpec.CreateTieredCompactionSpec(builder);
            var context = Fb.TieredCompactionContext.CreateTieredCompactionContext(builder);
            var id = Fb.Ulid.CreateUlid(builder, 1, 2);
            Fb.Compaction.StartCompaction(builder);
            Fb.Compaction.AddId(builder, id);
            builder.AddByte(1, specType, 0);
            Fb.Compaction.AddSpec(builder, spec.Value);
            if (contextType != 0)
            {
                builder.AddByte(6, contextType, 0);
                Fb.Compaction.AddCtx(builder, context.Value);
            }

            var compaction = Fb.Compaction.EndCompaction(builder);
            builder.Finish(Fb.CompactionsV1.CreateCompactionsV1(builder, 1, Fb.CompactionsV1.CreateRecentCompactionsVector(builder, [compaction])).Value);
            var act = () => CompactionsCodec.Decode(ManifestFixtures.WithVersion(2, builder.SizedByteArray()), Name);
            act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains(Name, StringComparison.Ordinal), $"spec {specType}, context {contextType}");
        }
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0, 3, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 1 })]
    public void Bad_prefixes_and_empty_bodies_are_corrupt(byte[] bytes)
    {
        var act = () => CompactionsCodec.Decode(bytes, Name);
        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data);
    }
}
