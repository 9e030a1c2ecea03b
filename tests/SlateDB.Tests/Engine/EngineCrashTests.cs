using SlateDB.TestSupport;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SlateDB.Storage;
using Xunit.Abstractions;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>
/// Crash safety: a child process (SlateDB.CrashWriter) writes durably to a database in a local folder and is killed
/// (SIGKILL) at a random moment; the test reopens the database in-process and checks that every acknowledged write is
/// there with its latest acknowledged value. A write in flight at the kill may or may not have landed. Each round also
/// checks the database still works: the test writes a marker of its own, and every earlier marker must be there.
/// </summary>
public sealed partial class EngineCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 20;
    private const int Writers = 6;
    private const int KeysPerWriter = 20;
    private const string Deleted = "-";

    private readonly TempFolder _folder = new("slatedb-engine-crash-");
    private readonly TempFolder _walFolder = new("slatedb-engine-crash-wal-");

    public void Dispose()
    {
        _folder.Dispose();
        _walFolder.Dispose();
    }

    [Fact]
    public Task Every_acknowledged_write_survives_a_kill_at_a_random_moment() => RunKillRoundsAsync(walFolder: null);

    /// <summary>The same with the WAL in a separate store (another folder) and the eager WAL flush policy.</summary>
    [Fact]
    public Task Every_acknowledged_write_survives_a_kill_with_a_separate_wal_store() => RunKillRoundsAsync(_walFolder.Path);

    /// <summary>The same with the WAL on the local disk (segment files in a folder, one fsync per group).</summary>
    [Fact]
    public Task Every_acknowledged_write_survives_a_kill_with_a_local_wal() => RunKillRoundsAsync(_walFolder.Path, localWal: true);

    private async Task RunKillRoundsAsync(string? walFolder, bool localWal = false)
    {
        var seed = Environment.GetEnvironmentVariable("SLATEDB_ENGINE_CRASH_SEED") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : 20260903;
        var random = new Random(seed);
        var options = TestOptions(l0SstSizeBytes: 8 * 1024);
        var store = new LocalFileSystemObjectStore(_folder.Path);

        // What each key must hold: null while it was never written (or is deleted).
        var expected = new Dictionary<string, string?>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        long acknowledged = 0;
        var landedInFlight = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var because = $"seed {seed}, round {round}";
            var runFor = TimeSpan.FromMilliseconds(random.Next(100, 801));
            var lines = await CrashWriterChild.RunUntilKilledAsync(_folder.Path, round, seed + round, Writers, KeysPerWriter, runFor, TimeSpan.FromSeconds(30), because, localWal ? "local:" + walFolder : walFolder);

            // Replay the child's log: acknowledged writes become expectations; the last intent of each writer that
            // was never acknowledged is in flight and may or may not have landed.
            var inFlight = new Dictionary<string, (string Key, string Value)>(StringComparer.Ordinal);
            foreach (var line in lines)
            {
                var match = LinePattern().Match(line);
                if (!match.Success)
                {
                    continue; // "ready", or a line the kill cut short
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
                    expected[key] = value == Deleted ? null : value;
                    acknowledged++;
                }
            }

            var builder = SlateDb.Builder("db", store).WithOptions(options).WithSeed(seed + round);
            if (localWal)
            {
                builder.WithLocalWal(walFolder!, new LocalWalOptions { SegmentSizeBytes = 64 * 1024 });
            }
            else if (walFolder is not null)
            {
                builder.WithWalObjectStore(new LocalFileSystemObjectStore(walFolder), "file://" + walFolder);
            }

            await using (var db = await builder.OpenAsync())
            {
                for (var w = 0; w < Writers; w++)
                {
                    for (var k = 0; k < KeysPerWriter; k++)
                    {
                        var key = $"w{w}-k{k}";
                        var actual = await db.GetAsync(key);
                        var want = expected.GetValueOrDefault(key);
                        if (actual != want && inFlight.TryGetValue($"w{w}", out var pending) && pending.Key == key
                            && actual == (pending.Value == Deleted ? null : pending.Value))
                        {
                            // The write in flight at the kill reached the WAL: it is the value from now on.
                            expected[key] = actual;
                            landedInFlight++;
                            continue;
                        }

                        actual.Should().Be(want, $"{because}: key {key} must hold its last acknowledged value");
                    }
                }

                for (var earlier = 0; earlier < round; earlier++)
                {
                    (await db.GetAsync($"marker-{earlier}")).Should().Be($"round {earlier}", because);
                }

                await db.PutAsync($"marker-{round}", $"round {round}");
            }
        }

        output.WriteLine($"seed {seed}: {Rounds} kills, {acknowledged} acknowledged writes checked, {landedInFlight} in-flight writes landed, {watch.ElapsedMilliseconds} ms");
        acknowledged.Should().BeGreaterThan(Rounds, "the child wrote something in most rounds");
        if (localWal)
        {
            Directory.EnumerateFiles(walFolder!, "*.wal").Should().NotBeEmpty("the WAL is in the local WAL folder");
            var mainWal = Path.Combine(_folder.Path, "db", "wal");
            (Directory.Exists(mainWal) ? Directory.EnumerateFiles(mainWal) : []).Should().BeEmpty("no WAL object lands in the object store");
        }
        else if (walFolder is not null)
        {
            Directory.EnumerateFiles(Path.Combine(walFolder, "db", "wal")).Should().NotBeEmpty("the WAL is in the WAL store");
            var mainWal = Path.Combine(_folder.Path, "db", "wal");
            (Directory.Exists(mainWal) ? Directory.EnumerateFiles(mainWal) : []).Should().BeEmpty("no WAL object lands in the main store");
        }
    }

    [GeneratedRegex(@"^([IA]) (w\d+-k\d+) (-|r\d+-w\d+-c\d+-p*\.)$")]
    private static partial Regex LinePattern();
}
