using SlateDB.Compaction;

namespace SlateDB.Cli.Tests;

/// <summary>The .compactions commands, run-worker and delete-db, each on its own copy of a database.</summary>
public sealed class CompactionAndDeleteTests(CompactionAndDeleteTests.Source source) : IClassFixture<CompactionAndDeleteTests.Source>, IDisposable
{
    public sealed class Source : IAsyncLifetime
    {
        public TestDatabase Database { get; } = new(4, 100);

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

    private Storage.LocalFileSystemObjectStore Store => new(_folder);

    [Fact]
    public async Task Compactions_are_submitted_read_and_listed()
    {
        var url = source.Database.CopyTo(_folder);
        (await Tool.RunAsync("read-compactions", "--url", url)).ShouldFailWith(3).Stderr.Should().Contain("no .compactions file");
        (await Tool.RunAsync("submit-compaction", "--url", url, "--request", "\"Full\"")).ShouldFailWith(3);

        // A compactor that runs only on request: it creates the .compactions file and runs what is submitted.
        var compactor = await Compactor.Builder(TestDatabase.Name, Store).WithPollingDisabled().StartAsync();
        await using (compactor)
        {
            (await Tool.RunAsync("submit-compaction", "--url", url, "--request", "{\"Spec\":{\"sources\":[{\"SortedRun\":99}],\"destination\":99}}")).ExitCode.Should().NotBe(0);
            (await Tool.RunAsync("submit-compaction", "--url", url, "--request", "{\"Bogus\":1}")).ShouldFailWith(2);
            (await Tool.RunAsync("submit-compaction", "--url", url, "--request", "not json")).ShouldFailWith(2);

            var submitted = (await Tool.RunAsync("submit-compaction", "--url", url, "--request", "\"Full\"", "--json")).ShouldSucceed().Json();
            var id = submitted.GetProperty("id").GetString()!;
            submitted.GetProperty("status").GetString().Should().Be("submitted");
            submitted.GetProperty("sources").GetArrayLength().Should().Be(5, "4 batches and the tail flushed on close, all in L0");

            var read = (await Tool.RunAsync("read-compaction", "--url", url, "--id", id, "--json")).ShouldSucceed().Json();
            read.GetProperty("id").GetString().Should().Be(id);
            var file = (await Tool.RunAsync("read-compactions", "--url", url, "--json")).ShouldSucceed().Json();
            file.GetProperty("compactions").EnumerateArray().Select(c => c.GetProperty("id").GetString()).Should().Contain(id);

            await compactor.RunOnceAsync();
            var manifest = await SlateDbAdmin.For(TestDatabase.Name, Store).ReadManifestAsync();
            manifest.SortedRuns.Should().NotBeEmpty("the submitted compaction ran");

            var versions = (await Tool.RunAsync("list-compactions", "--url", url, "--json")).ShouldSucceed().Json();
            var ids = versions.EnumerateArray().Select(v => v.GetProperty("id").GetUInt64()).ToList();
            ids.Should().BeInAscendingOrder().And.HaveCountGreaterThan(1);
            versions.EnumerateArray().Last().GetProperty("compactions").EnumerateArray()
                .Should().Contain(c => c.GetProperty("id").GetString() == id && c.GetProperty("status").GetString() == "completed");
            var stats = (await Tool.RunAsync("stats", "--url", url, "--json")).ShouldSucceed().Json();
            stats.GetProperty("last_compactions").EnumerateArray()
                .Should().Contain(c => c.GetProperty("id").GetString() == id && c.GetProperty("status").GetString() == "completed", "stats lists the last compactions");
            (await Tool.RunAsync("stats", "--url", url)).ShouldSucceed().Stdout.Should().Contain("last compactions");
            var first = (await Tool.RunAsync("list-compactions", "--url", url, "--start", ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "--end", ids[1].ToString(System.Globalization.CultureInfo.InvariantCulture), "--json")).ShouldSucceed().Json();
            first.EnumerateArray().Select(v => v.GetProperty("id").GetUInt64()).Should().Equal(ids[0]);
            (await Tool.RunAsync("read-compaction", "--url", url, "--id", "01ARZ3NDEKTSV4RRFFQ69G5FAV")).ShouldFailWith(3);
            (await Tool.RunAsync("read-compaction", "--url", url, "--id", "nope")).ShouldFailWith(2);
        }

        (await Tool.RunAsync("scan", "--url", url, "--count", "--json")).ShouldSucceed().Json().GetProperty("count").GetInt64().Should().Be(405);
    }

    [Fact]
    public async Task Run_worker_starts_a_worker_and_stops_on_ctrl_c()
    {
        var url = source.Database.CopyTo(_folder);
        using var process = Tool.Start(["run-worker", "--url", url, "--poll-interval", "200ms", "--json"]);
        var stderr = new System.Text.StringBuilder();
        var started = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }

            if (e.Data?.Contains("compaction worker", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Tool.Interrupt(process);
        var stdout = await process.StandardOutput.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromSeconds(20)).Should().BeTrue();
        process.ExitCode.Should().Be(0, stderr.ToString());
        using var json = JsonDocument.Parse(stdout);
        json.RootElement.GetProperty("worker_id").GetString().Should().NotBeNullOrEmpty();
        json.RootElement.GetProperty("completed").GetInt64().Should().Be(0, "no coordinator scheduled work");
    }

    [Fact]
    public async Task A_coordinator_without_an_embedded_worker_hands_compaction_to_a_run_worker_process()
    {
        var url = source.Database.CopyTo(_folder);
        using var coordinator = Tool.Start(["run-compactor", "--url", url, "--poll-interval", "200ms", "--no-embedded-worker"]);
        using var worker = Tool.Start(["run-worker", "--url", url, "--poll-interval", "200ms", "--json"]);
        var admin = SlateDbAdmin.For(TestDatabase.Name, Store);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        ManifestInfo manifest;
        do
        {
            await Task.Delay(250);
            manifest = await admin.ReadManifestAsync();
        }
        while (manifest.SortedRuns.Count == 0 && DateTime.UtcNow < deadline && !coordinator.HasExited && !worker.HasExited);

        Tool.Interrupt(worker);
        var workerOut = await worker.StandardOutput.ReadToEndAsync();
        worker.WaitForExit(TimeSpan.FromSeconds(20)).Should().BeTrue();
        Tool.Interrupt(coordinator);
        coordinator.WaitForExit(TimeSpan.FromSeconds(20)).Should().BeTrue();
        manifest.SortedRuns.Should().NotBeEmpty("the coordinator scheduled the L0 compaction and the worker ran it: " + await coordinator.StandardError.ReadToEndAsync());
        coordinator.ExitCode.Should().Be(0);
        worker.ExitCode.Should().Be(0, await worker.StandardError.ReadToEndAsync());
        using (var json = JsonDocument.Parse(workerOut))
        {
            json.RootElement.GetProperty("completed").GetInt64().Should().BeGreaterThan(0, "the worker process, not the coordinator, ran the compaction");
        }

        (await Tool.RunAsync("scan", "--url", url, "--count", "--json")).ShouldSucceed().Json().GetProperty("count").GetInt64().Should().Be(405);
        (await Tool.RunAsync("verify", "--url", url)).ShouldSucceed();
    }

    [Fact]
    public async Task Delete_db_is_a_dry_run_until_confirmed()
    {
        var url = source.Database.CopyTo(_folder);
        var root = Path.Combine(_folder, TestDatabase.Name);
        var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Length;

        var dryRun = (await Tool.RunAsync("delete-db", "--url", url, "--json")).ShouldSucceed().Json();
        dryRun.GetProperty("dry_run").GetBoolean().Should().BeTrue();
        dryRun.GetProperty("objects").GetArrayLength().Should().Be(files);
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).Length.Should().Be(files, "a dry run deletes nothing");

        var deleted = (await Tool.RunAsync("delete-db", "--url", url, "--confirm", "--json")).ShouldSucceed().Json();
        deleted.GetProperty("dry_run").GetBoolean().Should().BeFalse();
        deleted.GetProperty("objects").GetArrayLength().Should().Be(files + 1, "every object and the .deleting marker");
        (Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories) : []).Should().BeEmpty();

        (await Tool.RunAsync("stats", "--url", url)).ShouldFailWith(3);
        (await Tool.RunAsync("delete-db", "--url", url, "--confirm")).ShouldFailWith(3);
    }
}
