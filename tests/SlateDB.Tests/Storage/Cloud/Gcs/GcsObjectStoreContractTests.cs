using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>
/// The whole object-store contract, conditional puts and the 16-way create and update races included, on the real
/// Google.Cloud.Storage.V1 client talking to the in-repository strict JSON API server (<see cref="GcsTestServer"/>:
/// its remarks list what it does and does not emulate). It proves the adapter's requests, preconditions, generation
/// handling, range reads and paging against Google's documented semantics as that server implements them; it does not
/// prove that GCS itself answers the same way (scripts/gcs-real-bucket.sh runs this suite against a real bucket).
/// </summary>
public sealed class GcsObjectStoreContractTests : ObjectStoreContractTests
{
    public GcsObjectStoreContractTests(ITestOutputHelper output)
    {
        Output = output;
    }

    protected override bool StampsTimesFromTheTimeProvider => false;

    // GCS lists in the byte order of the names' UTF-8, which is ordinal for these ASCII paths.
    protected override bool ListsInOrdinalOrder => true;

    protected override int Rounds => 20;

    // Pages of 400 names, so that listings of the 1,500-object test take four pages (GCS's default is 1,000).
    protected override IObjectStore CreateStore(TimeProvider? timeProvider = null) =>
        GcsStores.OnTestServer(CloudStores.NewPrefix(this), configure: options => options.ListPageSize = 400);
}
