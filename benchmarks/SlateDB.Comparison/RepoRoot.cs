namespace SlateDB.Comparison;

/// <summary>Finds the repository root (the folder holding SlateDb.sln) from the working folder or the program's folder.</summary>
internal static class RepoRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "SlateDb.sln")))
                {
                    return folder.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the repository (no SlateDb.sln found above the working folder), or pass --repo.");
    }
}
