using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;

namespace SlateDB.Tests.Manifest;

/// <summary>Seeded random metadata models that survive an encode/decode round trip.</summary>
internal sealed class ModelGenerator(int seed)
{
    private readonly Random _random = new(seed);

    public int Seed { get; } = seed;

    /// <summary>A manifest version 1 can hold: views named by their SST, no segments.</summary>
    public DbManifest ManifestV1(int maxSsts = 6)
    {
        var tree = Tree(maxSsts, identityViews: true);
        var last = Chance(0.5) && tree.L0.Count > 0 ? tree.L0[^1].Id : (Ulid?)null;
        var core = Core() with
        {
            Tree = tree with { LastCompactedL0SstViewId = last, LastCompactedL0SstId = last },
            WalObjectStoreUri = Chance(0.5) ? Text(0, 20) : null,
        };
        return new DbManifest(ExternalDbs(), core, Ulong(), Ulong());
    }

    /// <summary>A manifest that needs version 2: own view ids, shared SSTs, segments.</summary>
    public DbManifest ManifestV2(int maxSsts = 6, int maxSegments = 3)
    {
        var pool = Enumerable.Range(0, _random.Next(1, maxSsts + 2)).Select(_ => Handle(forView: true)).ToArray();
        var segmentCount = _random.Next(0, maxSegments + 1);
        var prefixes = new SortedSet<string>(StringComparer.Ordinal);
        while (prefixes.Count < segmentCount)
        {
            prefixes.Add(Text(1, 6));
        }

        var segments = prefixes
            .Select(prefix => new Segment(System.Text.Encoding.UTF8.GetBytes(prefix), SharedTree(pool, maxSsts)))
            .OrderBy(segment => segment.Prefix.ToArray(), ByteArrayComparer.Instance)
            .ToArray();
        var core = Core() with
        {
            Tree = SharedTree(pool, maxSsts),
            Segments = segments,
            SegmentExtractorName = segments.Length == 0 || Chance(0.7) ? Text(1, 12) : null,
        };
        return new DbManifest(ExternalDbs(), core, Ulong(), Ulong());
    }

    public CompactionsState Compactions(int maxCompactions = 5)
        => new(Ulong(), [.. Enumerable.Range(0, _random.Next(0, maxCompactions + 1)).Select(_ => Compaction())]);

    public CompactionRecord Compaction()
    {
        var views = Enumerable.Range(0, _random.Next(0, 4)).Select(_ => CompactionSource.SstView(NewUlid()));
        var runs = Enumerable.Range(0, _random.Next(0, 4)).Select(_ => CompactionSource.SortedRun((uint)_random.Next(0, 50)));
        var sources = views.Concat(runs).ToArray();
        CompactionSpec spec = Chance(0.2)
            ? new DrainSegmentSpec(Bytes(1, 5), sources)
            : new TieredCompactionSpec(Chance(0.5) ? Array.Empty<byte>() : Bytes(1, 5), sources, Chance(0.7) ? InferredDestination(sources) : (uint)_random.Next(0, 100));
        var status = (CompactionStatus)_random.Next(0, 6);
        var hasOutputs = status is CompactionStatus.Compacted or CompactionStatus.Completed or CompactionStatus.Failed;
        var outputs = hasOutputs ? Handles(0, 3, forView: false) : [];
        var worker = Chance(0.5) ? new WorkerSpec(Text(1, 10), Ulong()) : null;
        CompactionContext? context = null;
        if (Chance(0.5))
        {
            var subcompactions = Enumerable.Range(0, _random.Next(0, 3)).Select(_ => new Subcompaction(Range(allowExcludedStart: true), Handles(0, 2, forView: false))).ToArray();
            context = new CompactionContext(subcompactions, Ulong());
        }

        return new CompactionRecord(NewUlid(), spec, status, outputs, worker, context);
    }

    public SsTableInfoModel Info(bool forView)
    {
        var wal = !forView && Chance(0.2);
        return new SsTableInfoModel
        {
            FirstEntry = forView || Chance(0.8) ? Bytes(0, 12) : default(ReadOnlyMemory<byte>?),
            LastEntry = wal || Chance(0.2) ? default(ReadOnlyMemory<byte>?) : Bytes(0, 12),
            IndexOffset = Ulong(),
            IndexLen = Chance(0.3) ? 0 : Ulong(),
            FilterOffset = Ulong(),
            FilterLen = Chance(0.3) ? 0 : Ulong(),
            Compression = (SstCompression)_random.Next(0, 5),
            SstType = wal ? SstKind.Wal : SstKind.Compacted,
            StatsOffset = Ulong(),
            StatsLen = Chance(0.3) ? 0 : Ulong(),
            FilterFormat = Chance(0.5) ? SstFilterFormat.Composite : SstFilterFormat.Legacy,
        };
    }

    public byte[] Bytes(int min, int max)
    {
        var bytes = new byte[_random.Next(min, max + 1)];
        _random.NextBytes(bytes);
        return bytes;
    }

    public ulong Ulong() => _random.Next(0, 4) switch
    {
        0 => 0,
        1 => (ulong)_random.Next(0, 1000),
        2 => ulong.MaxValue - (ulong)_random.Next(0, 3),
        _ => (ulong)_random.NextInt64() ^ ((ulong)_random.Next() << 33),
    };

    public Ulid NewUlid() => new((ulong)_random.NextInt64() ^ ((ulong)_random.Next() << 40), (ulong)_random.NextInt64());

    public bool Chance(double probability) => _random.NextDouble() < probability;

    public int Next(int min, int max) => _random.Next(min, max);

    public static uint InferredDestination(IReadOnlyList<CompactionSource> sources)
    {
        var runs = sources.Where(s => s.IsSortedRun).Select(s => s.SortedRunId).ToList();
        return runs.Count == 0 ? 0 : runs.Min();
    }

    private ManifestCore Core()
    {
        var tracker = SequenceTracker.Empty;
        var seq = (ulong)_random.Next(0, 100);
        var time = DateTimeOffset.FromUnixTimeSeconds(_random.Next(0, 1_000_000));
        for (var i = _random.Next(0, 40); i > 0; i--)
        {
            seq += (ulong)_random.Next(0, 5000);
            time = time.AddSeconds(_random.Next(0, 300));
            tracker = tracker.Record(seq, time);
        }

        return new ManifestCore
        {
            Initialized = Chance(0.8),
            NextWalSstId = Math.Max(1, Ulong()),
            ReplayAfterWalId = Ulong(),
            LastL0ClockTick = Chance(0.3) ? long.MinValue : _random.NextInt64(long.MinValue, long.MaxValue),
            LastL0Seq = Ulong(),
            RecentSnapshotMinSeq = Ulong(),
            SequenceTracker = tracker,
            Checkpoints = [.. Enumerable.Range(0, _random.Next(0, 4)).Select(_ => Checkpoint())],
        };
    }

    private Checkpoint Checkpoint()
    {
        var expire = Chance(0.5) ? DateTimeOffset.FromUnixTimeSeconds(_random.NextInt64(1, uint.MaxValue)) : (DateTimeOffset?)null;
        var bytes = new byte[16];
        _random.NextBytes(bytes);
        return new Checkpoint(new Guid(bytes), Ulong(), expire, DateTimeOffset.FromUnixTimeSeconds(_random.NextInt64(0, uint.MaxValue)), Chance(0.5) ? Text(0, 16) : null);
    }

    private ExternalDb[] ExternalDbs()
        => [.. Enumerable.Range(0, _random.Next(0, 3)).Select(_ =>
        {
            var bytes = new byte[32];
            _random.NextBytes(bytes);
            var ids = Enumerable.Range(0, _random.Next(0, 4)).Select(_ => SsTableId.Compacted(NewUlid())).ToArray();
            return new ExternalDb(Text(1, 24), new Guid(bytes.AsSpan(0, 16)), Chance(0.5) ? new Guid(bytes.AsSpan(16)) : null, ids);
        })];

    private LsmTreeState Tree(int maxSsts, bool identityViews)
    {
        SsTableView NewView() => identityViews
            ? SsTableView.Identity(Handle(forView: true)) with { VisibleRange = Chance(0.3) ? Range(allowExcludedStart: false) : null }
            : new SsTableView(NewUlid(), Handle(forView: true), Chance(0.3) ? Range(allowExcludedStart: false) : null);
        var l0 = Enumerable.Range(0, _random.Next(0, maxSsts + 1)).Select(_ => NewView()).ToArray();
        var runs = Enumerable.Range(0, _random.Next(0, 4))
            .Select(i => new SortedRun((uint)(10 - i), [.. Enumerable.Range(0, _random.Next(0, maxSsts + 1)).Select(_ => NewView())]))
            .ToArray();
        return new LsmTreeState(null, null, l0, runs);
    }

    private LsmTreeState SharedTree(SsTableHandle[] pool, int maxViews)
    {
        SsTableView NewView() => new(NewUlid(), pool[_random.Next(pool.Length)], Chance(0.3) ? Range(allowExcludedStart: false) : null);
        var l0 = Enumerable.Range(0, _random.Next(0, maxViews + 1)).Select(_ => NewView()).ToArray();
        var runs = Enumerable.Range(0, _random.Next(0, 3))
            .Select(i => new SortedRun((uint)(5 - i), [.. Enumerable.Range(0, _random.Next(0, maxViews + 1)).Select(_ => NewView())]))
            .ToArray();
        var last = Chance(0.5) ? NewUlid() : (Ulid?)null;
        return new LsmTreeState(last, null, l0, runs);
    }

    private SsTableHandle Handle(bool forView)
        => new(SsTableId.Compacted(NewUlid()), (ushort)_random.Next(1, 3), Info(forView));

    private SsTableHandle[] Handles(int min, int max, bool forView)
        => [.. Enumerable.Range(0, _random.Next(min, max + 1)).Select(_ => Handle(forView))];

    private BytesRange Range(bool allowExcludedStart)
    {
        while (true)
        {
            var start = Bound(allowExcluded: allowExcludedStart);
            var end = Bound(allowExcluded: true);
            var range = new BytesRange(start, end);
            if (!range.IsEmpty)
            {
                return range;
            }
        }
    }

    private BytesBound Bound(bool allowExcluded) => _random.Next(0, allowExcluded ? 3 : 2) switch
    {
        0 => BytesBound.Unbounded,
        1 => BytesBound.Included(Bytes(0, 6)),
        _ => BytesBound.Excluded(Bytes(0, 6)),
    };

    private string Text(int min, int max)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789/-_.éß€😀";
        var builder = new System.Text.StringBuilder();
        var length = _random.Next(min, max + 1);
        while (builder.Length < length)
        {
            var index = _random.Next(Alphabet.Length);
            if (char.IsHighSurrogate(Alphabet[index]))
            {
                builder.Append(Alphabet, index, 2);
            }
            else if (!char.IsLowSurrogate(Alphabet[index]))
            {
                builder.Append(Alphabet[index]);
            }
        }

        return builder.ToString();
    }
}

internal sealed class ByteArrayComparer : IComparer<byte[]>
{
    public static ByteArrayComparer Instance { get; } = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
