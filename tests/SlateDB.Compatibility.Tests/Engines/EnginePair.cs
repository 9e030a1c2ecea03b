namespace SlateDB.Compatibility.Tests.Engines;

/// <summary>One Rust engine (a driver process) and one .NET engine for a test; disposing closes both.</summary>
internal sealed class EnginePair : IAsyncDisposable
{
    private EnginePair(RustEngine rust, DotNetEngine dotNet)
    {
        Rust = rust;
        DotNet = dotNet;
    }

    public RustEngine Rust { get; }

    public DotNetEngine DotNet { get; }

    public static async Task<EnginePair> StartAsync() => new(await RustEngine.StartAsync(), new DotNetEngine());

    public ICompatEngine this[EngineKind kind] => kind == EngineKind.Rust ? Rust : DotNet;

    /// <summary>The other implementation.</summary>
    public static EngineKind Other(EngineKind kind) => kind == EngineKind.Rust ? EngineKind.DotNet : EngineKind.Rust;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DotNet.DisposeAsync();
        }
        finally
        {
            await Rust.DisposeAsync();
        }
    }
}
