using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>
/// The whole object-store contract, races included, against a real GCS bucket through <see cref="RetryingObjectStore"/>
/// (scripts/gcs-real-bucket.sh; skipped without <c>SLATEDB_TEST_GCS_BUCKET</c>). This is the only test that proves the
/// adapter against Google's own service. The retries are there because GCS limits writes to one object name to about
/// one per second (429), which several contract tests exceed on purpose.
/// </summary>
[SkipUnlessSet(GcsRealBucket.BucketVariable, GcsRealBucket.SkipReason)]
[Trait("Category", "RealBucket")]
public sealed class GcsRealBucketContractTests : ObjectStoreContractTests
{
    public GcsRealBucketContractTests(ITestOutputHelper output)
    {
        Output = output;
    }

    protected override bool StampsTimesFromTheTimeProvider => false;

    protected override bool ListsInOrdinalOrder => true;

    protected override int Rounds => 5;

    protected override IObjectStore CreateStore(TimeProvider? timeProvider = null) => GcsRealBucket.RetryingStore(this);
}
