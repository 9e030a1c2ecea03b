using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>The object-store contract against a real Azurite (scripts/test-env.d/20-azurite.sh), on the bare adapter.</summary>
[NeedsTestServer]
public sealed class AzureBlobObjectStoreContractTests : ObjectStoreContractTests
{
    public AzureBlobObjectStoreContractTests(ITestOutputHelper output)
    {
        Output = output;
    }

    protected override bool StampsTimesFromTheTimeProvider => false;

    // Blob Storage lists in the byte order of the names, which is ordinal for these ASCII paths.
    protected override bool ListsInOrdinalOrder => true;

    protected override int Rounds => 8;

    // Pages of 400 names, so that listings of the 1,500-object test take four pages (Azure's default is 5,000).
    protected override IObjectStore CreateStore(TimeProvider? timeProvider = null) =>
        CloudStores.Azure(CloudStores.NewPrefix(this), listPageSize: 400);
}
