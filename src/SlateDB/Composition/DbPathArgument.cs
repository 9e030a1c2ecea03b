namespace SlateDB.Composition;

/// <summary>
/// Checks the database path every entry point takes (<see cref="SlateDb.OpenAsync"/>, the builders,
/// <see cref="GarbageCollection.GarbageCollector.StartAsync(string, Storage.IObjectStore, GarbageCollectorOptions, TimeProvider, Microsoft.Extensions.Logging.ILoggerFactory, System.Diagnostics.Metrics.IMeterFactory, CancellationToken)"/>): an empty path would put the database at the store's
/// root, mixed with whatever else the store holds, so it is refused.
/// </summary>
internal static class DbPathArgument
{
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    public static void Validate(string path, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(path))] string? paramName = null) =>
        ArgumentException.ThrowIfNullOrWhiteSpace(path, paramName);
}
