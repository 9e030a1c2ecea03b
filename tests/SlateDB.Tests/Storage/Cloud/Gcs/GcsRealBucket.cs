using SlateDB.Storage;
using SlateDB.Storage.Gcp;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>
/// A real GCS bucket for scripts/gcs-real-bucket.sh (not part of CI): <c>SLATEDB_TEST_GCS_BUCKET</c> names it, the
/// credentials come from the environment under SlateDB's names (<c>GOOGLE_APPLICATION_CREDENTIALS</c>,
/// <c>GOOGLE_SERVICE_ACCOUNT</c>, <c>GOOGLE_SERVICE_ACCOUNT_KEY</c>, ...), and <c>SLATEDB_TEST_GCS_PREFIX</c> is the
/// prefix under which each test makes its own.
/// </summary>
internal static class GcsRealBucket
{
    public const string BucketVariable = "SLATEDB_TEST_GCS_BUCKET";

    public const string SkipReason = "No real GCS bucket: scripts/gcs-real-bucket.sh sets SLATEDB_TEST_GCS_BUCKET and credentials to run this test.";

    public static string? Bucket => Environment.GetEnvironmentVariable(BucketVariable) is { Length: > 0 } bucket ? bucket : null;

    /// <summary>The bare adapter on the real bucket, opened from a gs:// URL as an application would.</summary>
    public static GcsObjectStore Store(object test)
    {
        var bucket = Bucket ?? throw new InvalidOperationException(SkipReason);
        var root = Environment.GetEnvironmentVariable("SLATEDB_TEST_GCS_PREFIX") is { Length: > 0 } prefix ? prefix.Trim('/') : "slatedb-tests";
        return GcsObjectStore.FromUrl($"gs://{bucket}/{root}/{CloudStores.NewPrefix(test)}", configure: options => options.ListPageSize = 400);
    }

    /// <summary>
    /// The adapter behind <see cref="RetryingObjectStore"/>, as the engine uses a cloud store: GCS answers 429 to more than
    /// about one write per second to one object name, which the retries absorb.
    /// </summary>
    public static IObjectStore RetryingStore(object test) => new RetryingObjectStore(Store(test));
}

/// <summary>A test that runs only against a real bucket (<see cref="GcsRealBucket"/>); skipped elsewhere.</summary>
public sealed class RealGcsFactAttribute : FactAttribute
{
    public RealGcsFactAttribute()
    {
        if (GcsRealBucket.Bucket is null)
        {
            Skip = GcsRealBucket.SkipReason;
        }
    }
}
