namespace SlateDB.Simulation.Chaos;

/// <summary>
/// What the chaos proxy does to the traffic it relays (each probability is per relayed chunk, or per request for
/// the 503s). Scenarios follow SlateDB's chaos script: baseline, latency jitter, bandwidth cap, resets, 503 bursts,
/// stalls, and server restarts (the proxy drops every connection and refuses new ones for a while).
/// </summary>
internal sealed record ChaosProfile(string Name)
{
    public TimeSpan Latency { get; init; }

    public TimeSpan Jitter { get; init; }

    /// <summary>Bytes per second per connection and direction; 0 = unlimited.</summary>
    public int BandwidthBytesPerSecond { get; init; }

    public double ResetProbability { get; init; }

    public double StallProbability { get; init; }

    public TimeSpan StallFor { get; init; }

    /// <summary>Probability that a request starts a burst of 503s (the next few requests are refused too).</summary>
    public double Http503Probability { get; init; }

    public int Http503BurstLength { get; init; } = 3;

    /// <summary>Every this often the "server restarts": all connections drop, new ones are refused for <see cref="RestartFor"/>.</summary>
    public TimeSpan? RestartEvery { get; init; }

    public TimeSpan RestartFor { get; init; } = TimeSpan.FromSeconds(1);

    public static IReadOnlyList<ChaosProfile> Scenarios { get; } =
    [
        new("baseline"),
        new("latency_jitter") { Latency = TimeSpan.FromMilliseconds(20), Jitter = TimeSpan.FromMilliseconds(60) },
        new("bandwidth_cap") { BandwidthBytesPerSecond = 256 * 1024 },
        new("reset_peer") { ResetProbability = 0.03 },
        new("http_503s") { Http503Probability = 0.05 },
        new("stalls") { StallProbability = 0.01, StallFor = TimeSpan.FromSeconds(3) },
        new("server_restarts") { RestartEvery = TimeSpan.FromSeconds(3), RestartFor = TimeSpan.FromSeconds(1) },
    ];

    public override string ToString() => Name;
}
