using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>
/// The object-store contract against a real Ceph radosgw (scripts/test-env.d/30-radosgw.sh), through
/// <see cref="RetryingObjectStore"/> as SlateDB uses every store: radosgw answers some conditional updates that lost
/// its internal compare-and-swap with 500 (ECANCELED) instead of 412, which the adapter reports as transient and the
/// retry turns into the conflict. The adapter's own answers without a retry layer are checked in
/// <see cref="S3ObjectStoreTests"/>.
/// </summary>
[NeedsTestServer]
public sealed class S3ObjectStoreContractTests : ObjectStoreContractTests
{
    private static readonly RetryOptions s_fastRetries = new()
    {
        MaxRetries = 5,
        InitialBackoff = TimeSpan.FromMilliseconds(5),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
    };

    public S3ObjectStoreContractTests(ITestOutputHelper output)
    {
        Output = output;
    }

    protected override bool StampsTimesFromTheTimeProvider => false;

    protected override bool IdenticalRewritesChangeTheVersion => false;

    // S3 and radosgw list in the byte order of the keys, which is ordinal for these ASCII paths.
    protected override bool ListsInOrdinalOrder => true;

    protected override int Rounds => 8;

    // Pages of 400 keys, so that listings of the 1,500-object test take four pages (S3's own limit is 1,000).
    protected override IObjectStore CreateStore(TimeProvider? timeProvider = null) =>
        new RetryingObjectStore(CloudStores.S3(CloudStores.NewPrefix(this), o => o.ListPageSize = 400), s_fastRetries);
}
