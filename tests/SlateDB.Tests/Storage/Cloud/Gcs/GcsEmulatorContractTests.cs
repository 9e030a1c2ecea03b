using Google.Apis.Auth.OAuth2;
using SlateDB.Storage;
using SlateDB.Storage.Gcp;
using Xunit.Abstractions;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>
/// The object-store contract on the real Google client against the Cloud Storage emulator of npm firebase-tools (its
/// Node server, started by scripts/test-env.d/40-gcs.sh): a server written by Google, not by this repository. It proves
/// that the adapter's uploads, downloads, ranges, listings, paging and deletes work against another implementation of
/// the JSON API. That emulator ignores <c>ifGenerationMatch</c>, so the tests that check refused conditional puts are
/// reported as skipped here; they, the 16-way races included, run in <see cref="GcsObjectStoreContractTests"/> against
/// the in-repository strict server.
/// </summary>
[NeedsTestServer]
[IgnoresPreconditions("The firebase-tools storage emulator ignores ifGenerationMatch; GcsObjectStoreContractTests runs this test against the strict in-repository GCS server.")]
public sealed class GcsEmulatorContractTests : ObjectStoreContractTests
{
    public const string Bucket = "slatedb-test";

    public GcsEmulatorContractTests(ITestOutputHelper output)
    {
        Output = output;
    }

    protected override bool StampsTimesFromTheTimeProvider => false;

    protected override int Rounds => 8;

    // The emulator's JSON API serves admin requests ("Bearer owner") without consulting security rules.
    protected override IObjectStore CreateStore(TimeProvider? timeProvider = null) => new GcsObjectStore(new GcsObjectStoreOptions
    {
        Bucket = Bucket,
        Prefix = CloudStores.NewPrefix(this),
        Endpoint = TestServers.GcsEmulator,
        AllowHttp = true,
        Credential = GoogleCredential.FromAccessToken("owner"),
        ListPageSize = 400,
    });
}
