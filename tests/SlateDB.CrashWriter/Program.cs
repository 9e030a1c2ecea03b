using System.Globalization;
using System.Text;
using SlateDB;
using SlateDB.Storage;

// Usage: SlateDB.CrashWriter <root folder> <round> <seed> <writers> <keys per writer> [<WAL store folder> | local:<dir>]
//
// With a WAL store folder the database keeps its WAL there (SlateDbBuilder.WithWalObjectStore, recorded as
// "file://<folder>") and writes with the eager WAL flush policy. With "local:<dir>" it keeps its WAL on the local disk
// in <dir> (SlateDbBuilder.WithLocalWal, small segments so that they roll), also with the eager policy.
// Opens the database "db" in a LocalFileSystemObjectStore over the folder, prints "ready", then runs <writers>
// concurrent writers until the process is killed. Writer w owns the keys "w<w>-k<n>" (n < keys per writer) and writes
// one at a time, each write awaited as durable. Around each write it prints, one line each:
//   I <key> <value>   before the write starts (the write may or may not land if the process dies now)
//   A <key> <value>   after the write is durable (it must survive the crash)
// A delete prints "-" as its value. Values are "r<round>-w<w>-c<counter>-<padding>." and end with a full stop, so a
// line cut short by the kill is recognisable. Lines are printed whole and flushed at once.
// Usage: SlateDB.CrashWriter exit-without-close <root folder> <keys> <flush on exit: true|false>
//
// Opens "db" with no WAL flush timer, puts <keys> keys "k<n>" without waiting for durability, prints "wrote", and
// ends the process with Environment.Exit(0) without closing the database: only the flush at process exit (when on)
// can make the writes durable.
if (args.Length == 4 && args[0] == "exit-without-close")
{
    var exitStore = new LocalFileSystemObjectStore(args[1]);
    var exitDb = await SlateDb.Builder("db", exitStore)
        .WithOptions(new SlateDbOptions { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null })
        .WithFlushOnProcessExit(bool.Parse(args[3]))
        .OpenAsync();
    for (var n = 0; n < int.Parse(args[2], CultureInfo.InvariantCulture); n++)
    {
        await exitDb.PutAsync($"k{n}", "v", writeOptions: new WriteOptions { AwaitDurable = false });
    }

    Console.WriteLine("wrote");
    Environment.Exit(0);
}

if (args.Length is not (5 or 6))
{
    Console.Error.WriteLine("usage: SlateDB.CrashWriter <root folder> <round> <seed> <writers> <keys per writer>");
    return 2;
}

var root = args[0];
var round = int.Parse(args[1], CultureInfo.InvariantCulture);
var seed = int.Parse(args[2], CultureInfo.InvariantCulture);
var writerCount = int.Parse(args[3], CultureInfo.InvariantCulture);
var keysPerWriter = int.Parse(args[4], CultureInfo.InvariantCulture);
var walRoot = args.Length == 6 ? args[5] : null;
var localWal = walRoot is not null && walRoot.StartsWith("local:", StringComparison.Ordinal) ? walRoot["local:".Length..] : null;

var options = new SlateDbOptions
{
    FlushInterval = TimeSpan.FromMilliseconds(5),
    L0SstSizeBytes = 8 * 1024,
    L0MaxSsts = 1000,
    L0MaxSstsPerKey = 1000,
    MinFilterKeys = 8,
    CompactorOptions = null,
    GarbageCollectorOptions = null,
    WalFlushPolicy = walRoot is null ? WalFlushPolicy.FixedInterval : WalFlushPolicy.Eager,
};
var store = new LocalFileSystemObjectStore(root);
var builder = SlateDb.Builder("db", store).WithOptions(options).WithSeed(seed);
if (localWal is not null)
{
    builder.WithLocalWal(localWal, new LocalWalOptions { SegmentSizeBytes = 64 * 1024 });
}
else if (walRoot is not null)
{
    builder.WithWalObjectStore(new LocalFileSystemObjectStore(walRoot), "file://" + walRoot);
}

var db = await builder.OpenAsync();
var output = Console.OpenStandardOutput();
var outputLock = new Lock();

void Print(string line)
{
    var bytes = Encoding.UTF8.GetBytes(line + "\n");
    lock (outputLock)
    {
        output.Write(bytes);
        output.Flush();
    }
}

Print("ready");
var durable = new WriteOptions { AwaitDurable = true };
var writers = Enumerable.Range(0, writerCount).Select(w => Task.Run(async () =>
{
    var random = new Random(seed * 1000 + w);
    for (var counter = 0; ; counter++)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"w{w}-k{random.Next(keysPerWriter)}");
        var delete = random.Next(10) == 0;
        var value = delete ? "-" : string.Create(CultureInfo.InvariantCulture, $"r{round}-w{w}-c{counter}-{new string('p', random.Next(200))}.");
        Print($"I {key} {value}");
        if (delete)
        {
            await db.DeleteAsync(key, durable);
        }
        else
        {
            await db.PutAsync(key, value, writeOptions: durable);
        }

        Print($"A {key} {value}");
    }
})).ToList();

// Writers run until the process is killed; one that fails ends the program with its error.
var failed = await Task.WhenAny(writers);
await failed;
return 1;
