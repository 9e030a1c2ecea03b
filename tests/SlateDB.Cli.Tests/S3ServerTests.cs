using SlateDB.Storage;
using SlateDB.Storage.Aws;

namespace SlateDB.Cli.Tests;

/// <summary>
/// The tool against the S3 test server (Ceph radosgw, started by scripts/test-env.d/30-radosgw.sh), with the
/// credentials and endpoint in SlateDB's environment variables. Skipped only with SLATEDB_SKIP_SERVER_TESTS=1 outside
/// CI; without the server's variables it fails and says how to start it.
/// </summary>
public sealed class S3ServerTests
{
    private static Dictionary<string, string> Environment(S3Settings s3) => new()
    {
        ["AWS_ENDPOINT_URL"] = s3.Endpoint,
        ["AWS_ACCESS_KEY_ID"] = s3.AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = s3.SecretKey,
        ["AWS_REGION"] = s3.Region,
        ["AWS_ALLOW_HTTP"] = "true",
    };

    [ServerFact]
    public async Task Manifests_scans_stats_verify_and_checkpoints_work_on_s3()
    {
        var s3 = S3Settings.FromEnvironment();
        var url = $"s3://{s3.Bucket}/cli-{Guid.NewGuid():N}/db";
        var env = Environment(s3);
        var options = new ObjectStoreUrlOptions { UseEnvironment = false };
        foreach (var (key, value) in env)
        {
            options.Settings[key.ToLowerInvariant()] = value;
        }

        var store = S3ObjectStore.FromUrl(url[..url.LastIndexOf('/')], options);
        var db = await SlateDb.OpenAsync("db", store, TestDatabase.Options);
        await using (db)
        {
            for (var i = 0; i < 300; i++)
            {
                await db.PutAsync(TestDatabase.Key(i), TestDatabase.Value(i), writeOptions: new WriteOptions { AwaitDurable = false });
            }

            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            await db.CloseAsync();
        }

        var manifest = (await Tool.RunAsync(["read-manifest", "--url", url, "--json"], env)).ShouldSucceed().Json();
        manifest.GetProperty("l0").GetArrayLength().Should().BeGreaterThan(0);
        var rows = (await Tool.RunAsync(["scan", "--url", url, "--json"], env)).ShouldSucceed().JsonLines();
        rows.Select(r => r.GetProperty("key").GetString()).Should().Equal(Enumerable.Range(0, 300).Select(TestDatabase.Key));
        var stats = (await Tool.RunAsync(["stats", "--url", url, "--json"], env)).ShouldSucceed().Json();
        stats.GetProperty("objects").EnumerateArray().Should().Contain(k => k.GetProperty("kind").GetString() == "compacted");
        (await Tool.RunAsync(["verify", "--url", url, "--json"], env)).ShouldSucceed().Json().GetProperty("ok").GetBoolean().Should().BeTrue();
        var checkpoint = (await Tool.RunAsync(["create-checkpoint", "--url", url, "--json"], env)).ShouldSucceed().Json().GetProperty("id").GetGuid();
        (await Tool.RunAsync(["list-checkpoints", "--url", url, "--json"], env)).ShouldSucceed().Json().EnumerateArray()
            .Should().ContainSingle().Which.GetProperty("id").GetGuid().Should().Be(checkpoint);
        (await Tool.RunAsync(["delete-db", "--url", url, "--confirm", "--json"], env)).ShouldSucceed();
        (await Tool.RunAsync(["stats", "--url", url], env)).ShouldFailWith(3);

        // Wrong credentials: one line, exit code 5 (the store refused).
        var wrong = new Dictionary<string, string>(env) { ["AWS_SECRET_ACCESS_KEY"] = "wrong-secret" };
        (await Tool.RunAsync(["stats", "--url", url], wrong)).ShouldFailWith(5);
    }

    private sealed record S3Settings(string Endpoint, string AccessKey, string SecretKey, string Region, string Bucket)
    {
        public static S3Settings FromEnvironment() => new(
            Require("SLATEDB_TEST_S3_ENDPOINT"),
            Require("SLATEDB_TEST_S3_ACCESS_KEY"),
            Require("SLATEDB_TEST_S3_SECRET_KEY"),
            System.Environment.GetEnvironmentVariable("SLATEDB_TEST_S3_REGION") ?? "us-east-1",
            Require("SLATEDB_TEST_S3_BUCKET"));

        private static string Require(string variable) =>
            System.Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException(
                    $"{variable} is not set, so the radosgw test server is not running. Run the tests through scripts/test.sh "
                    + $"(or `source scripts/test-env.d/30-radosgw.sh`), or set {ServerFactAttribute.SkipVariable}=1 outside CI to skip server tests on purpose.");
    }
}

/// <summary>A test against a test server: skipped only with SLATEDB_SKIP_SERVER_TESTS=1, and never under CI=true.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ServerFactAttribute : FactAttribute
{
    public const string SkipVariable = "SLATEDB_SKIP_SERVER_TESTS";

    public ServerFactAttribute()
    {
        if (System.Environment.GetEnvironmentVariable(SkipVariable) == "1" && !Environments.IsCi)
        {
            Skip = $"{SkipVariable}=1: the object-store server tests were skipped on purpose.";
        }
    }
}
