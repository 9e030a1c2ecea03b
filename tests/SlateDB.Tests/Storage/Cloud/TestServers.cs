namespace SlateDB.Tests.Storage.Cloud;

/// <summary>Where the test servers started by scripts/test-env.d/*.sh are, read from the variables those scripts export.</summary>
internal static class TestServers
{
    public const string SkipVariable = "SLATEDB_SKIP_SERVER_TESTS";

    /// <summary>Set (to a skip reason) only when the developer asked to skip server tests.</summary>
    public static string? SkipReason => Environment.GetEnvironmentVariable(SkipVariable) == "1"
        ? $"{SkipVariable}=1: the object-store server tests were skipped on purpose."
        : null;

    public static S3Server S3 => new(
        Require("SLATEDB_TEST_S3_ENDPOINT", "radosgw"),
        Require("SLATEDB_TEST_S3_ACCESS_KEY", "radosgw"),
        Require("SLATEDB_TEST_S3_SECRET_KEY", "radosgw"),
        Environment.GetEnvironmentVariable("SLATEDB_TEST_S3_REGION") ?? "us-east-1",
        Require("SLATEDB_TEST_S3_BUCKET", "radosgw"));

    public static string AzuriteConnectionString => Require("SLATEDB_TEST_AZURITE", "azurite");

    /// <summary>The service root of the firebase-tools Cloud Storage emulator (scripts/test-env.d/40-gcs.sh).</summary>
    public static Uri GcsEmulator => new(Require("SLATEDB_TEST_GCS_EMULATOR", "gcs-emulator"));

    private static string Require(string variable, string server) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set, so the {server} test server is not running. Run the tests through scripts/test.sh, " +
                $"which installs and starts it (scripts/test-env.d), or set {SkipVariable}=1 to skip the server tests on purpose.");
}

internal sealed record S3Server(string Endpoint, string AccessKey, string SecretKey, string Region, string Bucket);
