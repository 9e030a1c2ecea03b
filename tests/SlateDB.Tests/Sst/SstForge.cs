using System.Buffers.Binary;
using SlateDB.Format;
using SlateDB.Format.Compression;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Tests.Sst;

/// <summary>
/// Takes a valid SST apart into its sections (raw, uncompressed) and lays it out again, computing offsets, lengths
/// and checksums, with hooks that change a section's raw or stored bytes, the index, the info or the footer on the
/// way. Lies planted this way pass every checksum and so reach the decoders and validators behind them.
/// Without hooks, <see cref="Build"/> gives back the original bytes (deterministic codecs).
/// </summary>
internal sealed class SstForge
{
    private SstForge(BlockCodec codec, ushort version, SsTableInfoModel info)
    {
        Codec = codec;
        Version = version;
        Info = info;
    }

    public BlockCodec Codec { get; }

    public ushort Version { get; }

    public SsTableInfoModel Info { get; }

    /// <summary>Data blocks before compression.</summary>
    public List<byte[]> Blocks { get; } = [];

    /// <summary>The index separators, one per block.</summary>
    public List<byte[]> Separators { get; } = [];

    public byte[]? Filter { get; private set; }

    public byte[]? Stats { get; private set; }

    /// <summary>The section names <see cref="Build"/> passes to its byte hooks.</summary>
    public IEnumerable<string> Sections
        => Enumerable.Range(0, Blocks.Count).Select(i => $"block {i}")
            .Concat(Filter is null ? [] : ["filter"])
            .Append("index")
            .Concat(Stats is null ? [] : ["statistics"]);

    public static SstForge FromSst(byte[] bytes, string path)
    {
        var sst = SstFile.Open(bytes, path);
        var forge = new SstForge((BlockCodec)(byte)sst.Info.Compression, sst.FormatVersion, sst.Info);
        for (var i = 0; i < sst.BlockCount; i++)
        {
            forge.Blocks.Add(Open(sst, bytes, sst.BlockRange(i).Offset, sst.BlockRange(i).Length));
            forge.Separators.Add(sst.Index.Blocks[i].FirstKey.ToArray());
        }

        if (sst.Info.FilterLen > 0)
        {
            forge.Filter = Open(sst, bytes, (long)sst.Info.FilterOffset, (long)sst.Info.FilterLen);
        }

        if (sst.StatsRange is { } stats)
        {
            forge.Stats = Open(sst, bytes, stats.Offset, stats.Length);
        }

        return forge;
    }

    /// <summary>
    /// Lays the SST out. <paramref name="raw"/> and <paramref name="stored"/> see each section's bytes before and
    /// after compression (by name: <c>block N</c>, <c>filter</c>, <c>index</c>, <c>statistics</c>); the other hooks
    /// change the index model, the info and the footer after the true values are known.
    /// </summary>
    public byte[] Build(
        Func<string, byte[], byte[]>? raw = null,
        Func<string, byte[], byte[]>? stored = null,
        Func<SsTableIndexModel, SsTableIndexModel>? index = null,
        Func<SsTableInfoModel, SsTableInfoModel>? info = null,
        Func<(ulong InfoOffset, ushort Version), (ulong InfoOffset, ushort Version)>? footer = null)
    {
        var output = new List<byte>();
        long Write(string section, byte[] content)
        {
            var start = output.Count;
            var payload = BlockCompression.Compress(Codec, raw?.Invoke(section, content) ?? content);
            payload = stored?.Invoke(section, payload) ?? payload;
            output.AddRange(Checksum.Append(payload));
            return output.Count - start;
        }

        var metas = new List<BlockMetaModel>();
        for (var i = 0; i < Blocks.Count; i++)
        {
            metas.Add(new BlockMetaModel((ulong)output.Count, Separators[i]));
            Write($"block {i}", Blocks[i]);
        }

        var filterOffset = (ulong)output.Count;
        var filterLen = Filter is null ? 0 : (ulong)Write("filter", Filter);
        var indexOffset = (ulong)output.Count;
        var indexModel = new SsTableIndexModel(metas);
        var indexLen = (ulong)Write("index", SsTableIndexCodec.Encode(index?.Invoke(indexModel) ?? indexModel));
        ulong statsOffset = 0, statsLen = 0;
        if (Stats is not null)
        {
            statsOffset = (ulong)output.Count;
            statsLen = (ulong)Write("statistics", Stats);
        }

        var trueInfo = Info with
        {
            FilterOffset = filterOffset,
            FilterLen = filterLen,
            IndexOffset = indexOffset,
            IndexLen = indexLen,
            StatsOffset = statsOffset,
            StatsLen = statsLen,
        };
        var infoOffset = (ulong)output.Count;
        output.AddRange(Checksum.Append(SsTableInfoCodec.Encode(info?.Invoke(trueInfo) ?? trueInfo)));
        var (writtenOffset, writtenVersion) = footer?.Invoke((infoOffset, Version)) ?? (infoOffset, Version);
        var tail = new byte[SstLayout.FooterLength];
        BinaryPrimitives.WriteUInt64BigEndian(tail, writtenOffset);
        BinaryPrimitives.WriteUInt16BigEndian(tail.AsSpan(8), writtenVersion);
        output.AddRange(tail);
        return [.. output];
    }

    private static byte[] Open(SstFile sst, byte[] bytes, long offset, long length)
        => SstLayout.OpenBlock(bytes.AsMemory((int)offset, (int)length), sst.Info.Compression, sst.Path).ToArray();
}
