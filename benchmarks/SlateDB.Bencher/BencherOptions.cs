using System.Globalization;

namespace SlateDB.Bencher;

/// <summary>Command-line settings of one load run.</summary>
internal sealed record BencherOptions
{
    public double PutShare { get; init; } = 0.5;
    public string Distribution { get; init; } = "uniform";
    public int KeySize { get; init; } = 16;
    public int ValueSize { get; init; } = 100;
    public long KeyCount { get; init; } = 1_000_000;
    public int Concurrency { get; init; } = 1;
    public TimeSpan? Duration { get; init; } = TimeSpan.FromSeconds(10);
    public long? Operations { get; init; }
    public int BatchSize { get; init; } = 1;
    public bool AwaitDurable { get; init; }
    public string Store { get; init; } = "memory";
    public double LatencyMs { get; init; }
    public double JitterMs { get; init; }
    public int Seed { get; init; } = 42;
    public bool Preload { get; init; }
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    public string Codec { get; init; } = "None";
    public bool NoWal { get; init; }
    public long L0SstSizeBytes { get; init; } = 64L * 1024 * 1024;
    public bool Transaction { get; init; }
    public int TxnReads { get; init; } = 5;
    public int TxnWrites { get; init; } = 5;
    public bool Serializable { get; init; }
    public int AbortPercent { get; init; }

    public const string Usage = """
        SlateDB.Bencher: a load generator for SlateDB for .NET (like slatedb-bencher).
          --put-share F        share of operations that are puts, 0..1 (default 0.5)
          --dist uniform|zipfian  key distribution (default uniform)
          --key-size N         key bytes (default 16)        --value-size N   value bytes (default 100)
          --keys N             key space size (default 1000000)
          --concurrency N      concurrent workers (default 1)
          --duration S         seconds to run (default 10)   --ops N          operations to run instead
          --batch N            puts per write batch (default 1)
          --await-durable      wait for each write to be durable
          --store memory|file:PATH   object store (default memory)
          --latency-ms F --jitter-ms F   injected object-store latency (e.g. 30 and 10 to model S3)
          --flush-interval-ms N   WAL flush interval (default 100)
          --codec None|Snappy|Zlib|Lz4|Zstd   block compression (default None)
          --preload            write every key once before measuring
          --no-wal             disable the WAL (writes durable at L0 flush)
          --l0-mb F            memtable size that triggers an L0 flush, MiB (default 64)
          --seed N             random seed (default 42)
          --transaction        transaction mode: each operation is a transaction (puts-share and batch ignored)
          --txn-reads N --txn-writes N   reads and puts per transaction (default 5 and 5)
          --serializable       serializable snapshot isolation (default: snapshot)
          --abort-percent N    share of transactions rolled back instead of committed (default 0)
        """;

    public static BencherOptions Parse(string[] args)
    {
        var o = new BencherOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            double D() => double.Parse(Next(), CultureInfo.InvariantCulture);
            long L() => long.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--put-share" => o with { PutShare = D() },
                "--dist" => o with { Distribution = Next() },
                "--key-size" => o with { KeySize = (int)L() },
                "--value-size" => o with { ValueSize = (int)L() },
                "--keys" => o with { KeyCount = L() },
                "--concurrency" => o with { Concurrency = (int)L() },
                "--duration" => o with { Duration = TimeSpan.FromSeconds(D()), Operations = null },
                "--ops" => o with { Operations = L(), Duration = null },
                "--batch" => o with { BatchSize = (int)L() },
                "--await-durable" => o with { AwaitDurable = true },
                "--store" => o with { Store = Next() },
                "--latency-ms" => o with { LatencyMs = D() },
                "--jitter-ms" => o with { JitterMs = D() },
                "--flush-interval-ms" => o with { FlushInterval = TimeSpan.FromMilliseconds(D()) },
                "--codec" => o with { Codec = Next() },
                "--preload" => o with { Preload = true },
                "--no-wal" => o with { NoWal = true },
                "--l0-mb" => o with { L0SstSizeBytes = (long)(D() * 1024 * 1024) },
                "--seed" => o with { Seed = (int)L() },
                "--transaction" => o with { Transaction = true },
                "--txn-reads" => o with { TxnReads = (int)L() },
                "--txn-writes" => o with { TxnWrites = (int)L() },
                "--serializable" => o with { Serializable = true },
                "--abort-percent" => o with { AbortPercent = (int)L() },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        if (o.PutShare is < 0 or > 1 || o.KeySize < 8 || o.Concurrency < 1 || o.BatchSize < 1 || o.KeyCount < 1
            || o.TxnReads < 0 || o.TxnWrites < 0 || o.AbortPercent is < 0 or > 100)
        {
            throw new ArgumentException("Out-of-range option: put-share 0..1, key-size >= 8, concurrency/batch/keys >= 1.");
        }

        return o;
    }
}
