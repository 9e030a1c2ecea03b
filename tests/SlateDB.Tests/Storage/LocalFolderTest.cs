namespace SlateDB.Tests.Storage;

/// <summary>A test class with a fresh temporary folder of its own (deleted after each test) and seeded random bytes.</summary>
public abstract class LocalFolderTest(string prefix) : IDisposable
{
    /// <summary>The test's own folder.</summary>
    protected DirectoryInfo Folder { get; } = Directory.CreateTempSubdirectory(prefix);

    public void Dispose()
    {
        try
        {
            Folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        GC.SuppressFinalize(this);
    }

    /// <summary><paramref name="length"/> random bytes from <paramref name="seed"/>.</summary>
    protected static byte[] Bytes(int length, byte seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
