using System.Globalization;
using System.Text;
using SlateDB.Storage;

// Usage: SlateDB.Storage.RaceHelper <root folder>
//
// Opens a LocalFileSystemObjectStore over the folder, warms up its code paths, prints "ready", then reads commands
// from standard input, one per line, and answers each with one line on standard output:
//   create <key>            a Create put
//   update <key> <version>  an Update put naming <version>
// The answer is "<outcome> <new version or -> <payload>", where the payload written is "<process id>:<command>", so
// the parent can tell whose bytes won. An empty line or the end of input ends the program.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: SlateDB.Storage.RaceHelper <root folder>");
    return 2;
}

var store = new LocalFileSystemObjectStore(args[0]);
var warmUpKey = string.Create(CultureInfo.InvariantCulture, $"warm-up/{Environment.ProcessId}");
var warmUp = await store.PutAsync(warmUpKey, "warm-up"u8.ToArray(), PutMode.Create, CancellationToken.None);
await store.PutAsync(warmUpKey, "warm-up"u8.ToArray(), PutMode.Update(warmUp.Version!), CancellationToken.None);
await store.HeadAsync(warmUpKey, CancellationToken.None);
await store.DeleteAsync(warmUpKey, CancellationToken.None);
Console.Out.WriteLine("ready");
Console.Out.Flush();

while (Console.In.ReadLine() is { Length: > 0 } line)
{
    var parts = line.Split(' ');
    var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}:{line}"));
    var mode = parts[0] switch
    {
        "create" when parts.Length == 2 => PutMode.Create,
        "update" when parts.Length == 3 => PutMode.Update(parts[2]),
        _ => throw new InvalidOperationException($"Unknown command '{line}'."),
    };

    var result = await store.PutAsync(parts[1], payload, mode, CancellationToken.None);
    Console.Out.WriteLine($"{result.Outcome} {result.Version ?? "-"} {Encoding.UTF8.GetString(payload)}");
    Console.Out.Flush();
}

return 0;
