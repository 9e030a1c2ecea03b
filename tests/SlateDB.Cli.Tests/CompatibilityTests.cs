using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using SlateDB.Compatibility.Tests.Infrastructure;

namespace SlateDB.Cli.Tests;

/// <summary>
/// A database written by the real SlateDB 0.12.1 (its Node binding, tools/slatedb-node/driver.mjs) is read by
/// read-manifest, scan, stats and verify; verify names an SST of it with a flipped byte. Never skipped under CI.
/// </summary>
public sealed class CompatibilityTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "slatedb-cli-tests", Path.GetRandomFileName());

    private string Url => new Uri(Path.Combine(_folder, "db")).AbsoluteUri;

    private static string Hex(string text) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        if (CompatEnvironment.SkipReason is not null)
        {
            return;
        }

        await using var rust = await RustSlateDb.StartAsync();
        await rust.SendAsync(new JsonObject { ["op"] = "open", ["path"] = Url });
        for (var batch = 0; batch < 2; batch++)
        {
            var ops = new JsonArray();
            for (var i = batch * 300; i < (batch + 1) * 300; i++)
            {
                ops.Add(new JsonObject { ["op"] = "put", ["key"] = Hex(TestDatabase.Key(i)), ["value"] = Hex(TestDatabase.Value(i)) });
            }

            await rust.SendAsync(new JsonObject { ["op"] = "batch", ["ops"] = ops });
            await rust.SendAsync(new JsonObject { ["op"] = "flush", ["kind"] = "memtable" });
        }

        await rust.SendAsync(new JsonObject { ["op"] = "put", ["key"] = Hex("tail"), ["value"] = Hex("from-rust") });
        await rust.SendAsync(new JsonObject { ["op"] = "delete", ["key"] = Hex(TestDatabase.Key(7)) });
        await rust.SendAsync(new JsonObject { ["op"] = "flush" });
        await rust.SendAsync(new JsonObject { ["op"] = "close" });
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [CompatFact]
    public async Task A_database_written_by_slatedb_0_12_1_is_read_by_read_manifest_scan_stats_and_verify()
    {
        var manifest = (await Tool.RunAsync("read-manifest", "--url", Url, "--json")).ShouldSucceed().Json();
        var l0 = manifest.GetProperty("l0").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        l0.Should().HaveCountGreaterThanOrEqualTo(2, "two memtable flushes");
        manifest.GetProperty("writer_epoch").GetUInt64().Should().BeGreaterThan(0);

        var rows = (await Tool.RunAsync("scan", "--url", Url, "--json")).ShouldSucceed().JsonLines();
        var expected = Enumerable.Range(0, 600).Where(i => i != 7).Select(i => (TestDatabase.Key(i), TestDatabase.Value(i))).Append(("tail", "from-rust")).ToList();
        rows.Select(r => (r.GetProperty("key").GetString()!, r.GetProperty("value").GetString()!)).Should().Equal(expected);

        var stats = (await Tool.RunAsync("stats", "--url", Url, "--json")).ShouldSucceed().Json();
        stats.GetProperty("l0").GetProperty("ssts").GetInt32().Should().Be(l0.Count);
        stats.GetProperty("objects").EnumerateArray().Should().Contain(k => k.GetProperty("kind").GetString() == "compacted" && k.GetProperty("objects").GetInt32() >= l0.Count);

        var verify = (await Tool.RunAsync("verify", "--url", Url, "--json")).ShouldSucceed().Json();
        verify.GetProperty("ok").GetBoolean().Should().BeTrue();
        verify.GetProperty("ssts").GetInt32().Should().BeGreaterThanOrEqualTo(l0.Count);
        verify.GetProperty("rows").GetInt64().Should().BeGreaterThanOrEqualTo(600);

        // Flip one byte in the middle of each SST in turn: verify names the damaged one.
        foreach (var id in l0)
        {
            var path = Path.Combine(_folder, "db", "compacted", id + ".sst");
            var original = await File.ReadAllBytesAsync(path);
            var damaged = (byte[])original.Clone();
            damaged[damaged.Length / 4] ^= 0x01;
            await File.WriteAllBytesAsync(path, damaged);
            var result = await Tool.RunAsync("verify", "--url", Url, "--json");
            await File.WriteAllBytesAsync(path, original);

            result.ExitCode.Should().Be(4, result.ToString());
            result.Json().GetProperty("problems").EnumerateArray().Should().ContainSingle()
                .Which.GetProperty("path").GetString().Should().Be($"db/compacted/{id}.sst");
            result.Stderr.Should().Contain(id);
        }

        (await Tool.RunAsync("verify", "--url", Url)).ShouldSucceed();
    }
}

/// <summary>A test against the real SlateDB 0.12.1: skipped only with SLATEDB_SKIP_COMPAT_TESTS=1 outside CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CompatFactAttribute : FactAttribute
{
    public CompatFactAttribute()
    {
        if (CompatEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
