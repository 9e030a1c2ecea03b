namespace SlateDB.Tests.Storage.Cloud;

/// <summary>
/// A test that needs a real object-store server started by scripts/test.sh (scripts/test-env.d). It runs, and fails
/// with a message naming the missing server, when the server is not configured; it is skipped only when a developer
/// sets <c>SLATEDB_SKIP_SERVER_TESTS=1</c> on purpose.
/// </summary>
public sealed class ServerFactAttribute : FactAttribute
{
    public ServerFactAttribute()
    {
        Skip = TestServers.SkipReason;
    }
}

/// <summary>The <see cref="TheoryAttribute"/> form of <see cref="ServerFactAttribute"/>.</summary>
public sealed class ServerTheoryAttribute : TheoryAttribute
{
    public ServerTheoryAttribute()
    {
        Skip = TestServers.SkipReason;
    }
}
