// SlateDB quick start: open a database in a local folder, put, get, delete, close.
// Run: dotnet run --project samples/QuickStart [folder]   (default: a fresh folder under the system temp directory)
using SlateDB;
using SlateDB.Storage;

var folder = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "slatedb-quickstart", Path.GetRandomFileName());
Console.WriteLine($"Database folder: {folder}");

var store = new LocalFileSystemObjectStore(folder);
await using var db = await SlateDb.OpenAsync("testDB", store);

await db.PutAsync("key1", "value1");
Console.WriteLine("Put: key1 value1");

Console.WriteLine($"Get: key1 {await db.GetAsync("key1")}");

await db.DeleteAsync("key1");
Console.WriteLine(await db.GetAsync("key1") is null ? "Delete: key1" : "Unable to delete key1");

// Durable on return: the write is in object storage (a WAL object) before the call completes.
var handle = await db.PutAsync("key2", "value2", writeOptions: new WriteOptions { AwaitDurable = true });
Console.WriteLine($"Put durably: key2 value2 (sequence {handle.Sequence})");

await db.CloseAsync();
Console.WriteLine("Closed.");
