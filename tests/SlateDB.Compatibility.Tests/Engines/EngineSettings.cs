namespace SlateDB.Compatibility.Tests.Engines;

/// <summary>Which implementation runs a session.</summary>
public enum EngineKind
{
    /// <summary>The real SlateDB 0.12.1 (Rust), through the Node driver.</summary>
    Rust,

    /// <summary>This repository's engine.</summary>
    DotNet,
}

/// <summary>
/// Settings a test gives a writer, expressed once and translated into each engine's own settings. By default both
/// engines run without compactor and garbage collector, so the objects on disk are exactly what the writers made.
/// </summary>
internal sealed record EngineSettings
{
    public static EngineSettings Default { get; } = new();

    public CompressionCodec Codec { get; init; } = CompressionCodec.None;

    /// <summary>Memtable (and WAL buffer) size at which it is flushed; small values give many L0 SSTs.</summary>
    public long L0SstSizeBytes { get; init; } = 256 * 1024;

    /// <summary>Large, so that writers never wait for a compactor that is not running.</summary>
    public int L0MaxSsts { get; init; } = 256;

    /// <summary>Run the engine's compactor (Rust: default scheduler with <see cref="CompactorPollMillis"/>).</summary>
    public bool Compactor { get; init; }

    public int CompactorPollMillis { get; init; } = 100;

    public long CompactorMaxSstSize { get; init; } = 256 * 1024;

    /// <summary>The timed WAL flush; null flushes the WAL only when asked, when full and at close.</summary>
    public int? FlushIntervalMillis { get; init; } = 100;

    /// <summary>The settings as the driver's <c>open</c> command takes them: JSON literals by setting name.</summary>
    public Dictionary<string, string> ToRustSettings()
    {
        var settings = new Dictionary<string, string>
        {
            ["compression_codec"] = Codec == CompressionCodec.None ? "null" : $"\"{Codec}\"",
            ["l0_sst_size_bytes"] = L0SstSizeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["l0_max_ssts"] = L0MaxSsts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["flush_interval"] = FlushIntervalMillis is { } ms ? $"\"{ms}ms\"" : "null",
            ["manifest_poll_interval"] = "\"100ms\"",
            ["garbage_collector_options"] = "null",
        };
        if (Compactor)
        {
            settings["compactor_options.poll_interval"] = $"\"{CompactorPollMillis}ms\"";
            settings["compactor_options.max_sst_size"] = CompactorMaxSstSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            settings["compactor_options"] = "null";
        }

        return settings;
    }

    public SlateDbOptions ToDotNetOptions() => new()
    {
        CompressionCodec = Codec,
        L0SstSizeBytes = L0SstSizeBytes,
        L0MaxSsts = L0MaxSsts,
        L0MaxSstsPerKey = L0MaxSsts,
        FlushInterval = FlushIntervalMillis is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        ManifestPollInterval = TimeSpan.FromMilliseconds(100),
        GarbageCollectorOptions = null,
        CompactorOptions = Compactor
            ? new CompactorOptions { PollInterval = TimeSpan.FromMilliseconds(CompactorPollMillis), MaxSstSize = CompactorMaxSstSize }
            : null,
    };
}
