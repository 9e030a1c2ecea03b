namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>
/// The engine's model-based run with reopens, and fencing between two writers, on a real GCS bucket
/// (scripts/gcs-real-bucket.sh; skipped without <c>SLATEDB_TEST_GCS_BUCKET</c>).
/// </summary>
[Trait("Category", "RealBucket")]
public sealed class GcsRealBucketEngineTests
{
    [RealGcsFact]
    public Task Model_based_run_with_reopens_matches_a_dictionary() =>
        EngineOnServerTests.RunModelWithReopensAsync(GcsRealBucket.RetryingStore(this));

    [RealGcsFact]
    public Task A_second_writer_fences_the_first() =>
        EngineOnServerTests.RunFencingAsync(GcsRealBucket.RetryingStore(this));
}
