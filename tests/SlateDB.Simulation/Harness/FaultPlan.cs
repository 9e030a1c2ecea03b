using System.Text;

namespace SlateDB.Simulation.Harness;

/// <summary>What the simulated store does to one request.</summary>
internal enum FaultKind
{
    /// <summary>Served normally.</summary>
    None,

    /// <summary>Refused before it reaches the store: HTTP 503 (service unavailable).</summary>
    Unavailable503,

    /// <summary>Refused before it reaches the store: HTTP 429 (throttled).</summary>
    Throttled429,

    /// <summary>Served (a write lands) but the response is lost: the caller sees a network error.</summary>
    LostResponse,
}

/// <summary>The fate of one request: its fault and its latency before and after the store acts.</summary>
internal readonly record struct RequestFate(FaultKind Fault, TimeSpan RequestLatency, TimeSpan ResponseLatency, bool LandsIfCrashed);

/// <summary>
/// A simulation's fault rates and latency distribution, and the fate of each request as a pure function of the seed
/// and the request's identity (operation, path, and how many times that operation was asked of that path before), so
/// a request's fate does not depend on the order in which the engine's concurrent tasks happened to issue requests.
/// </summary>
internal sealed record FaultPlan(int Seed, double ErrorRate, double LostResponseRate, double SlowRate)
{
    /// <summary>A plan drawn from the seed: some seeds run without faults, most with a few percent.</summary>
    public static FaultPlan FromSeed(int seed)
    {
        var random = new Random(Mix(seed, 0x5eed));
        var quiet = random.Next(8) == 0;
        return new FaultPlan(
            seed,
            ErrorRate: quiet ? 0 : random.NextDouble() * 0.08,
            LostResponseRate: quiet ? 0 : random.NextDouble() * 0.04,
            SlowRate: random.NextDouble() * 0.05);
    }

    public static FaultPlan None(int seed) => new(seed, 0, 0, 0);

    public RequestFate Decide(string operation, string path, long occurrence)
    {
        var random = new Random(Mix(Seed, StableHash($"{operation}|{path}|{occurrence}")));
        var draw = random.NextDouble();
        var fault = draw < ErrorRate / 2 ? FaultKind.Unavailable503
            : draw < ErrorRate ? FaultKind.Throttled429
            : draw < ErrorRate + LostResponseRate ? FaultKind.LostResponse
            : FaultKind.None;

        // Latency: mostly a few milliseconds, a tail of tens to hundreds, and with SlowRate a stall of seconds.
        TimeSpan Latency()
        {
            var x = random.NextDouble();
            var micros = x < 0.85 ? 200 + random.Next(8_000) : x < 0.98 ? 8_000 + random.Next(120_000) : 100_000 + random.Next(900_000);
            if (random.NextDouble() < SlowRate)
            {
                micros += 1_000_000 + random.Next(4_000_000);
            }

            return TimeSpan.FromTicks(micros * 10L);
        }

        return new RequestFate(fault, Latency(), Latency(), random.Next(2) == 0);
    }

    public static int Mix(int a, int b)
    {
        var x = (ulong)(uint)a << 32 | (uint)b;
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)(x ^ (x >> 32));
    }

    /// <summary>FNV-1a over UTF-8: stable across runs and processes (string.GetHashCode is not).</summary>
    public static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)hash;
    }
}
