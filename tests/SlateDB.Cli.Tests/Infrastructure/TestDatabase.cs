using System.Globalization;
using SlateDB.Storage;

namespace SlateDB.Cli.Tests.Infrastructure;

/// <summary>
/// A database in a temporary folder, written in-process by this library: <c>batches</c> L0 SSTs of
/// <c>keysPerBatch</c> keys each (<c>key00000</c>=<c>value00000</c>, ...), then 5 keys <c>tail0</c>..<c>tail4</c>
/// (durable in the WAL). Closed at once (the tail then becomes one more L0 SST), or kept open as a live writer
/// until disposed (the tail stays in the WAL only). No embedded compactor or collector. Deleted on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    public const string Name = "db";

    private readonly int _batches;
    private readonly int _keysPerBatch;
    private readonly bool _keepOpen;

    public TestDatabase()
        : this(3, 400)
    {
    }

    public TestDatabase(int batches, int keysPerBatch, bool keepOpen = false)
    {
        _keepOpen = keepOpen;
        _batches = batches;
        _keysPerBatch = keysPerBatch;
        Folder = Path.Combine(Path.GetTempPath(), "slatedb-cli-tests", Path.GetRandomFileName());
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The folder holding the database folder <see cref="Name"/>.</summary>
    public string Folder { get; }

    /// <summary>The database's URL.</summary>
    public string Url => new Uri(Path.Combine(Folder, Name)).AbsoluteUri;

    public int KeyCount => _batches * _keysPerBatch;

    public static SlateDbOptions Options => SlateDbOptions.Default with
    {
        CompactorOptions = null,
        GarbageCollectorOptions = null,
        MinFilterKeys = 10,
    };

    public IObjectStore Store() => new LocalFileSystemObjectStore(Folder);

    public static string Key(int i) => "key" + i.ToString("D5", CultureInfo.InvariantCulture);

    public static string Value(int i) => "value" + i.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>The open writer, when kept open.</summary>
    public SlateDb? Writer { get; private set; }

    public async Task InitializeAsync()
    {
        var db = await SlateDb.OpenAsync(Name, Store(), Options);
        {
            for (var batch = 0; batch < _batches; batch++)
            {
                for (var i = batch * _keysPerBatch; i < (batch + 1) * _keysPerBatch; i++)
                {
                    await db.PutAsync(Key(i), Value(i), writeOptions: new WriteOptions { AwaitDurable = false });
                }

                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            }

            for (var i = 0; i < 5; i++)
            {
                await db.PutAsync($"tail{i}", $"tailvalue{i}");
            }

            if (_keepOpen)
            {
                Writer = db;
            }
            else
            {
                await db.CloseAsync();
            }
        }
    }

    /// <summary>A copy of the whole folder (for tests that change or damage the database).</summary>
    public string CopyTo(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return new Uri(Path.Combine(folder, Name)).AbsoluteUri;
    }

    public async Task DisposeAsync()
    {
        if (Writer is not null)
        {
            await Writer.CloseAsync();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
