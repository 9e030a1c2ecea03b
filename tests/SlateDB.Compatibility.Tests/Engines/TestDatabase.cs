namespace SlateDB.Compatibility.Tests.Engines;

/// <summary>
/// A temporary object-store root shared by both engines (Rust's <c>file:///root</c> store and our
/// <see cref="Storage.LocalFileSystemObjectStore"/> map object <c>a/b</c> to the same file) and a database path in it.
/// Deleted on dispose unless <c>SLATEDB_COMPAT_KEEP=1</c>.
/// </summary>
internal sealed class TestDatabase : IDisposable
{
    private TestDatabase(string root, string path)
    {
        Root = root;
        Path = path;
    }

    /// <summary>The store's root folder.</summary>
    public string Root { get; }

    /// <summary>The database path inside the store (nested, to check both engines resolve it the same way).</summary>
    public string Path { get; }

    /// <summary>The root as the Rust store names it.</summary>
    public string StoreUrl => new Uri(Root.EndsWith('/') ? Root : Root + "/").AbsoluteUri.TrimEnd('/');

    /// <summary>The database's folder.</summary>
    public string Folder => System.IO.Path.Combine(Root, Path);

    public static TestDatabase Create(string name) =>
        new(Directory.CreateTempSubdirectory($"slatedb-compat-{name}-").FullName, "tenant/db");

    /// <summary>A copy of the database's files (as a crash at this instant would leave them) in a new root.</summary>
    public TestDatabase CopyTo(string name)
    {
        var copy = new TestDatabase(Directory.CreateTempSubdirectory($"slatedb-compat-{name}-").FullName, Path);
        foreach (var file in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories))
        {
            var relative = System.IO.Path.GetRelativePath(Folder, file);
            if (relative.Contains('#', StringComparison.Ordinal))
            {
                continue;
            }

            var target = System.IO.Path.Combine(copy.Folder, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    /// <summary>Names of the objects in one of the database's folders (<c>wal</c>, <c>compacted</c>, <c>manifest</c>, …).</summary>
    public IReadOnlyList<string> ObjectsIn(string folder)
    {
        var path = System.IO.Path.Combine(Folder, folder);
        return Directory.Exists(path)
            ? [.. Directory.EnumerateFiles(path).Select(System.IO.Path.GetFileName).Where(n => !n!.Contains('#', StringComparison.Ordinal)).Order(StringComparer.Ordinal)!]
            : [];
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("SLATEDB_COMPAT_KEEP") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a child process may still hold a file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
