using System.Globalization;

namespace SlateDB.Cli.Tests;

/// <summary>Commands that change the database (checkpoints, put/delete, garbage collection, compaction), each on its own copy.</summary>
public sealed class ChangingCommandTests(ChangingCommandTests.Source source) : IClassFixture<ChangingCommandTests.Source>, IDisposable
{
    public sealed class Source : IAsyncLifetime
    {
        public TestDatabase Database { get; } = new(4, 200);

        public Task InitializeAsync() => Database.InitializeAsync();

        public Task DisposeAsync() => Database.DisposeAsync();
    }

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "slatedb-cli-tests", Path.GetRandomFileName());

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string Copy() => source.Database.CopyTo(_folder);

    private SlateDbAdmin Admin => SlateDbAdmin.For(TestDatabase.Name, new Storage.LocalFileSystemObjectStore(_folder));

    [Fact]
    public async Task Checkpoints_are_created_listed_refreshed_and_deleted()
    {
        var url = Copy();
        var created = (await Tool.RunAsync("create-checkpoint", "--url", url, "--name", "before-deploy", "--lifetime", "1h", "--json")).ShouldSucceed().Json();
        var id = created.GetProperty("id").GetGuid();
        (await Admin.ListCheckpointsAsync()).Should().ContainSingle(c => c.Id == id && c.Name == "before-deploy");

        var listed = (await Tool.RunAsync("list-checkpoints", "--url", url, "--name", "before-deploy", "--json")).ShouldSucceed().Json();
        var entry = listed.EnumerateArray().Should().ContainSingle().Subject;
        entry.GetProperty("id").GetGuid().Should().Be(id);
        var expiry = entry.GetProperty("expire_time").GetDateTimeOffset();
        (expiry - entry.GetProperty("create_time").GetDateTimeOffset()).Should().BeCloseTo(TimeSpan.FromHours(1), TimeSpan.FromSeconds(5));
        (await Tool.RunAsync("list-checkpoints", "--url", url, "--name", "other", "--json")).ShouldSucceed().Json().GetArrayLength().Should().Be(0);

        var refreshed = (await Tool.RunAsync("refresh-checkpoint", "--url", url, "--id", id.ToString(), "--lifetime", "2days", "--json")).ShouldSucceed().Json();
        refreshed.GetProperty("expire_time").GetDateTimeOffset().Should().BeAfter(expiry.AddHours(40));
        var never = (await Tool.RunAsync("refresh-checkpoint", "--url", url, "--id", id.ToString(), "--json")).ShouldSucceed().Json();
        never.GetProperty("expire_time").ValueKind.Should().Be(JsonValueKind.Null);

        var scan = (await Tool.RunAsync("scan", "--url", url, "--checkpoint", id.ToString(), "--count", "--json")).ShouldSucceed().Json();
        scan.GetProperty("count").GetInt64().Should().Be(805, "the closed database flushed its tail to L0");

        (await Tool.RunAsync("delete-checkpoint", "--url", url, "--id", id.ToString(), "--json")).ShouldSucceed().Json().GetProperty("deleted").GetBoolean().Should().BeTrue();
        (await Admin.ListCheckpointsAsync()).Should().BeEmpty();

        (await Tool.RunAsync("delete-checkpoint", "--url", url, "--id", id.ToString())).ShouldFailWith(3).Stderr.Should().Contain(id.ToString());
        (await Tool.RunAsync("refresh-checkpoint", "--url", url, "--id", id.ToString())).ShouldFailWith(3);
        (await Tool.RunAsync("scan", "--url", url, "--checkpoint", id.ToString())).ShouldFailWith(3);
    }

    [Fact]
    public async Task Put_and_delete_need_yes_and_then_write_through_a_writer()
    {
        var url = Copy();
        (await Tool.RunAsync("put", "--url", url, "new-key", "new-value")).ShouldFailWith(2).Stderr.Should().Contain("--yes").And.Contain("fences");
        var put = (await Tool.RunAsync("put", "--url", url, "--yes", "new-key", "new-value", "--json")).ShouldSucceed().Json();
        put.GetProperty("seq").GetInt64().Should().BeGreaterThan(805);
        (await Tool.RunAsync("get", "--url", url, "new-key")).ShouldSucceed().Stdout.Should().Be("new-value\n");
        (await Tool.RunAsync("put", "--url", url, "--yes", "0x00ff", "0x0102", "--json")).ShouldSucceed();
        (await Tool.RunAsync("get", "--url", url, "0x00ff", "--value", "hex")).ShouldSucceed().Stdout.Should().Be("0102\n");

        (await Tool.RunAsync("delete", "--url", url, "key00005")).ShouldFailWith(2);
        (await Tool.RunAsync("delete", "--url", url, "-y", "key00005")).ShouldSucceed();
        (await Tool.RunAsync("get", "--url", url, "key00005")).ShouldFailWith(3);
    }

    [Fact]
    public async Task Run_garbage_collection_deletes_the_wal_objects_below_the_l0_boundary()
    {
        var url = Copy();
        var manifest = await Admin.ReadManifestAsync();
        var walFolder = Path.Combine(_folder, TestDatabase.Name, "wal");
        var before = Directory.GetFiles(walFolder).Length;
        var dryRun = (await Tool.RunAsync("run-garbage-collection", "--url", url, "--resource", "wal", "--min-age", "0s", "--dry-run", "--json")).ShouldSucceed().Json();
        var task = dryRun.GetProperty("tasks").EnumerateArray().Should().ContainSingle().Subject;
        task.GetProperty("kind").GetString().Should().Be("wal");
        task.GetProperty("candidates").GetArrayLength().Should().BeGreaterThan(0);
        task.GetProperty("deleted").GetInt32().Should().Be(0);
        Directory.GetFiles(walFolder).Length.Should().Be(before);

        var run = (await Tool.RunAsync("run-garbage-collection", "--url", url, "--resource", "wal", "--min-age", "0s", "--json")).ShouldSucceed().Json();
        var deleted = run.GetProperty("deleted").GetInt32();
        deleted.Should().BeGreaterThan(0);
        Directory.GetFiles(walFolder).Length.Should().Be(before - deleted);
        Directory.GetFiles(walFolder).Select(f => ulong.Parse(Path.GetFileName(f).Split('.')[0], CultureInfo.InvariantCulture))
            .Should().Contain(id => id > manifest.ReplayAfterWalId, "the WAL tail stays");
        (await Tool.RunAsync("scan", "--url", url, "--count", "--json")).ShouldSucceed().Json().GetProperty("count").GetInt64().Should().Be(805);

        (await Tool.RunAsync("run-garbage-collection", "--url", url, "--resource", "everything", "--min-age", "0s")).ShouldFailWith(2);
        (await Tool.RunAsync("run-garbage-collection", "--url", url, "--resource", "wal", "--min-age", "soon")).ShouldFailWith(2);
    }

    [Fact]
    public async Task Schedule_garbage_collection_runs_until_interrupted()
    {
        var url = Copy();
        var manifestFolder = Path.Combine(_folder, TestDatabase.Name, "manifest");
        var before = Directory.GetFiles(manifestFolder).Length;
        using var process = Tool.Start(["schedule-garbage-collection", "--url", url, "--manifest", "min_age=0s,period=200ms"]);
        var output = Tool.Drain(process);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.GetFiles(manifestFolder).Length >= before && DateTime.UtcNow < deadline && !process.HasExited)
        {
            await Task.Delay(100);
        }

        Directory.GetFiles(manifestFolder).Length.Should().BeLessThan(before, "the collector deleted old manifests");
        Tool.Interrupt(process);
        await Tool.ShouldExitAsync(process, output, TimeSpan.FromSeconds(20));
        process.ExitCode.Should().Be(0, await output.Stderr);
        (await Tool.RunAsync("schedule-garbage-collection", "--url", url)).ShouldFailWith(2);
        (await Tool.RunAsync("schedule-garbage-collection", "--url", url, "--wal", "min_age=1s")).ShouldFailWith(2);
    }

    [Fact]
    public async Task Run_compactor_compacts_l0_into_a_sorted_run_until_interrupted()
    {
        var url = Copy();
        using var process = Tool.Start(["run-compactor", "--url", url, "--poll-interval", "200ms"]);
        var output = Tool.Drain(process);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        ManifestInfo manifest;
        do
        {
            await Task.Delay(200);
            manifest = await Admin.ReadManifestAsync();
        }
        while (manifest.SortedRuns.Count == 0 && DateTime.UtcNow < deadline && !process.HasExited);

        manifest.SortedRuns.Should().NotBeEmpty(process.HasExited ? await output.Stderr : "the compactor made a sorted run");
        Tool.Interrupt(process);
        await Tool.ShouldExitAsync(process, output, TimeSpan.FromSeconds(20));
        process.ExitCode.Should().Be(0, await output.Stderr);
        (await Tool.RunAsync("scan", "--url", url, "--count", "--json")).ShouldSucceed().Json().GetProperty("count").GetInt64().Should().Be(805);
        (await Tool.RunAsync("verify", "--url", url)).ShouldSucceed();
    }

    [Fact]
    public async Task Verify_names_the_sst_with_a_flipped_byte()
    {
        var url = Copy();
        var manifest = await Admin.ReadManifestAsync();
        var victim = manifest.L0[1].Id;
        var path = Path.Combine(_folder, TestDatabase.Name, "compacted", victim + ".sst");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 3] ^= 0x40; // inside a data block
        await File.WriteAllBytesAsync(path, bytes);

        var result = await Tool.RunAsync("verify", "--url", url, "--json");
        result.ExitCode.Should().Be(4, result.ToString());
        var json = result.Json();
        json.GetProperty("ok").GetBoolean().Should().BeFalse();
        var problem = json.GetProperty("problems").EnumerateArray().Should().ContainSingle().Subject;
        problem.GetProperty("path").GetString().Should().Be($"db/compacted/{victim}.sst");
        result.Stderr.Should().Contain($"db/compacted/{victim}.sst").And.Contain("checksum");

        var human = await Tool.RunAsync("verify", "--url", url);
        human.ExitCode.Should().Be(4);
        human.Stderr.Should().Contain(victim);
    }

    [Fact]
    public async Task Bad_input_is_one_line_on_stderr_and_a_nonzero_exit()
    {
        var empty = Path.Combine(_folder, "empty");
        Directory.CreateDirectory(empty);
        var nothing = new Uri(Path.Combine(empty, "db")).AbsoluteUri;
        foreach (var command in new[] { "read-manifest", "list-manifests", "scan", "stats", "verify", "list-checkpoints", "create-checkpoint" })
        {
            (await Tool.RunAsync(command, "--url", nothing)).ShouldFailWith(3).Stderr.Should().Contain("no database").And.Contain(nothing);
        }

        (await Tool.RunAsync("stats", "--url", "not a url")).ShouldFailWith(2).Stderr.Should().Contain("not a database URL");
        (await Tool.RunAsync("stats", "--url", "ftp://host/db")).ShouldFailWith(2).Stderr.Should().Contain("ftp");
        (await Tool.RunAsync("stats", "--url", "file:///")).ShouldFailWith(2);
        (await Tool.RunAsync("stats")).ShouldFailWith(2).Stderr.Should().Contain("--url");
        (await Tool.RunAsync("read-manifest", "--url", source.Database.Url, "--id", "999999")).ShouldFailWith(3);

        var unknownOption = await Tool.RunAsync("stats", "--url", source.Database.Url, "--bogus");
        unknownOption.ExitCode.Should().Be(2);
        unknownOption.Stderr.Should().Contain("--bogus").And.NotContain("   at ");
        var badGuid = await Tool.RunAsync("delete-checkpoint", "--url", source.Database.Url, "--id", "nope");
        badGuid.ExitCode.Should().Be(2);

        var verbose = await Tool.RunAsync("stats", "--url", nothing, "--verbose");
        verbose.ExitCode.Should().Be(3);
        verbose.Stderr.Should().Contain("   at ", "--verbose shows the stack trace");
    }
}
