using SlateDB.TestSupport;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Simulation;

/// <summary>
/// The crash soak: a child process (SlateDB.CrashWriter) writes durably to a database in a local folder and is killed
/// with SIGKILL after a random time; the database is reopened in-process and every acknowledged write must hold its
/// last acknowledged value (a write in flight at the kill may or may not have landed). SLATEDB_SOAK_KILLS sets the
/// number of kills (scripts/soak.sh asks for hundreds; the default run does 3), SLATEDB_SOAK_SEED the seed.
/// </summary>
[Trait("Category", "Soak")]
public sealed partial class CrashSoakTests(ITestOutputHelper output) : IDisposable
{
    private const int Writers = 4;
    private const int KeysPerWriter = 16;
    private readonly string _folder = Directory.CreateTempSubdirectory("slatedb-crash-soak-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Acknowledged_writes_survive_repeated_SIGKILLs()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("SLATEDB_SOAK_KILLS"), CultureInfo.InvariantCulture, out var k) ? k : 3;
        var forSeconds = int.TryParse(Environment.GetEnvironmentVariable("SLATEDB_SOAK_KILL_SECONDS"), CultureInfo.InvariantCulture, out var t) ? t : 0;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SLATEDB_SOAK_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 7;
        var random = new Random(seed);
        var store = new LocalFileSystemObjectStore(_folder);
        var expected = new Dictionary<string, string?>(StringComparer.Ordinal);
        long acknowledged = 0, landedInFlight = 0;
        var watch = Stopwatch.StartNew();
        var round = 0;
        for (; forSeconds > 0 ? watch.Elapsed < TimeSpan.FromSeconds(forSeconds) : round < kills; round++)
        {
            var because = $"crash soak seed {seed}, kill {round} (replay: SLATEDB_SOAK_SEED={seed} SLATEDB_SOAK_KILLS={round + 1} dotnet test tests/SlateDB.Simulation -c Release --filter FullyQualifiedName~CrashSoak)";
            var lines = await CrashWriterChild.RunUntilKilledAsync(_folder, round, seed + round, Writers, KeysPerWriter, TimeSpan.FromMilliseconds(random.Next(50, 600)), TimeSpan.FromSeconds(60), because);
            var inFlight = new Dictionary<string, (string Key, string Value)>(StringComparer.Ordinal);
            foreach (var line in lines)
            {
                var match = LinePattern().Match(line);
                if (!match.Success)
                {
                    continue;
                }

                var (kind, key, value) = (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value);
                var writer = key[..key.IndexOf('-', StringComparison.Ordinal)];
                if (kind == "I")
                {
                    inFlight[writer] = (key, value);
                }
                else
                {
                    inFlight.Remove(writer);
                    expected[key] = value == "-" ? null : value;
                    acknowledged++;
                }
            }

            await using var db = await SlateDb.Builder("db", store).WithOptions(new SlateDbOptions { CompactorOptions = null, GarbageCollectorOptions = null }).WithSeed(seed + round).OpenAsync();
            for (var w = 0; w < Writers; w++)
            {
                for (var i = 0; i < KeysPerWriter; i++)
                {
                    var key = $"w{w}-k{i}";
                    var actual = await db.GetAsync(key);
                    var want = expected.GetValueOrDefault(key);
                    if (actual != want && inFlight.TryGetValue($"w{w}", out var pending) && pending.Key == key && actual == (pending.Value == "-" ? null : pending.Value))
                    {
                        expected[key] = actual;
                        landedInFlight++;
                        continue;
                    }

                    actual.Should().Be(want, $"{because}: key {key} must hold its last acknowledged value");
                }
            }
        }

        kills = round;
        output.WriteLine($"crash soak seed {seed}: {kills} kills, {acknowledged} acknowledged writes checked, {landedInFlight} in-flight writes landed, {watch.ElapsedMilliseconds} ms");
        SoakReport.Append($"SOAK-CRASH kills={kills} acknowledged={acknowledged} landed-in-flight={landedInFlight} ms={watch.ElapsedMilliseconds}");
        acknowledged.Should().BeGreaterThan(0, "the child wrote something");
    }

    [GeneratedRegex(@"^([IA]) (w\d+-k\d+) (-|r\d+-w\d+-c\d+-p*\.)$")]
    private static partial Regex LinePattern();
}
