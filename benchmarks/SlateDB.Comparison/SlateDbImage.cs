using System.Reflection.PortableExecutable;

namespace SlateDB.Comparison;

/// <summary>
/// Which code of SlateDB.dll this process runs. The build puts into the output folder the ReadyToRun image the package
/// ships for this platform (runtimes/&lt;rid&gt;/lib/net10.0/SlateDB.dll, see docs/packaging.md), so "ours" runs what a
/// user of the package runs; "ours-jit" runs the same file with the runtime told to ignore its native code.
/// </summary>
internal static class SlateDbImage
{
    /// <summary>The runtime setting that makes it ignore the ReadyToRun code of the named assemblies.</summary>
    public const string ExcludeVariable = "DOTNET_ReadyToRunExcludeList";

    public static bool IsReadyToRun(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    /// <summary>A short description: the file's kind and whether its native code is in use.</summary>
    public static string Describe()
    {
        var path = typeof(SlateDb).Assembly.Location;
        if (!IsReadyToRun(path))
        {
            return "IL only (JIT)";
        }

        var excluded = (Environment.GetEnvironmentVariable(ExcludeVariable) ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Contains("SlateDB", StringComparer.OrdinalIgnoreCase);
        return excluded ? $"ReadyToRun image, its native code ignored ({ExcludeVariable}=SlateDB): JIT" : "ReadyToRun image (the package's)";
    }
}
