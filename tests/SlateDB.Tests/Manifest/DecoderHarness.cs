using System.Diagnostics;
using SlateDB.Manifest;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest.Codec;

namespace SlateDB.Tests.Manifest;

/// <summary>The metadata decoders under one signature, with valid samples to mutate, and the "only Data errors" check.</summary>
internal static class DecoderHarness
{
    public const string ObjectName = "db/fuzz/object";

    public static readonly (string Name, Func<byte[], object> Decode)[] Decoders =
    [
        ("manifest", bytes => ManifestCodec.Decode(bytes, ObjectName)),
        ("compactions", bytes => CompactionsCodec.Decode(bytes, ObjectName)),
        ("sst info", bytes => SsTableInfoCodec.Decode(bytes, ObjectName)),
        ("sst index", bytes => SsTableIndexCodec.Decode(bytes, ObjectName)),
        ("sst stats", bytes => SstStatsCodec.Decode(bytes, ObjectName)),
    ];

    public static Func<byte[], object> DecoderFor(string name) => Decoders.Single(d => d.Name == name).Decode;

    /// <summary>Valid encodings of each kind, from seeded random models.</summary>
    public static List<byte[]> Samples(string name, int seed, int count)
    {
        var generator = new ModelGenerator(seed);
        var samples = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            samples.Add(name switch
            {
                "manifest" => i % 2 == 0 ? ManifestCodec.Encode(generator.ManifestV1(maxSsts: 3)) : ManifestCodec.EncodeV2(generator.ManifestV2(maxSsts: 3, maxSegments: 2)),
                "compactions" => CompactionsCodec.Encode(generator.Compactions(maxCompactions: 3)),
                "sst info" => SsTableInfoCodec.Encode(generator.Info(forView: false)),
                "sst index" => SsTableIndexCodec.Encode(new SsTableIndexModel([.. Enumerable.Range(0, generator.Next(0, 8)).Select(_ => new BlockMetaModel(generator.Ulong(), generator.Bytes(0, 10)))])),
                "sst stats" => SstStatsCodec.Encode(new SstStatsModel(generator.Ulong(), generator.Ulong(), generator.Ulong(), generator.Ulong(), generator.Ulong(), [.. Enumerable.Range(0, generator.Next(0, 6)).Select(_ => new BlockStatsModel(1, 2, 3))])),
                _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
            });
        }

        return samples;
    }

    /// <summary>
    /// Decodes <paramref name="input"/>: succeeds, or fails with a Data <see cref="SlateDbException"/> naming the object;
    /// anything else (another exception, a slow or huge decode) fails the test. Returns whether it decoded.
    /// </summary>
    public static bool DecodesOrFailsAsData(Func<byte[], object> decode, byte[] input, string because)
        => TryDecode(decode, input, because) is not null;

    /// <summary>As <see cref="DecodesOrFailsAsData"/>, returning the decoded value (null when rejected as corrupt).</summary>
    public static object? TryDecode(Func<byte[], object> decode, byte[] input, string because)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        object? decoded;
        try
        {
            decoded = decode(input);
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Data && e.Message.Contains(ObjectName, StringComparison.Ordinal))
        {
            decoded = null;
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{because}: {e.GetType().Name} escaped the decoder for input {Convert.ToHexString(input)}: {e}");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (elapsed > TimeSpan.FromSeconds(2) || allocated > (16L << 20) + (1000L * input.Length))
        {
            throw new Xunit.Sdk.XunitException($"{because}: decoding {input.Length} bytes took {elapsed} and allocated {allocated} bytes; input {Convert.ToHexString(input)}");
        }

        return decoded;
    }
}
