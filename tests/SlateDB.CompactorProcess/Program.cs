using System.Globalization;
using Microsoft.Extensions.Logging;
using SlateDB;
using SlateDB.Compaction;
using SlateDB.CompactorProcess;
using SlateDB.Storage;

// Usage: SlateDB.CompactorProcess <root folder> <database path> <poll ms> <max SST bytes> <hang after puts>
//
// Starts a standalone compactor on the database in a LocalFileSystemObjectStore folder and prints "started <epoch>".
// The compactor's log goes to standard output, one line per message: "log <event id> <message>". Every SST the
// compactor writes is announced once written ("put <path>"); with "hang after puts" above zero, every SST put after
// that many never returns (announced as "hang <path>"), so a parent can kill the process in the middle of a
// compaction. The line "stop" (or the end of input) stops the compactor cleanly; the program then prints "stopped".
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: SlateDB.CompactorProcess <root folder> <database path> <poll ms> <max SST bytes> <hang after puts>");
    return 2;
}

var pollMs = int.Parse(args[2], CultureInfo.InvariantCulture);
var maxSstBytes = long.Parse(args[3], CultureInfo.InvariantCulture);
var hangAfterPuts = int.Parse(args[4], CultureInfo.InvariantCulture);
IObjectStore store = new AnnouncedSstPuts(new LocalFileSystemObjectStore(args[0]), hangAfterPuts);

var options = new CompactorOptions { PollInterval = TimeSpan.FromMilliseconds(pollMs), MaxSstSize = maxSstBytes };
using var loggerFactory = new LineLoggerFactory();
var compactor = await Compactor.Builder(args[1], store).WithOptions(options).WithLoggerFactory(loggerFactory).StartAsync();
LineLoggerFactory.WriteLine(string.Create(CultureInfo.InvariantCulture, $"started {compactor.Epoch}"));
while (await Console.In.ReadLineAsync() is { } line && line != "stop")
{
}

await compactor.DisposeAsync();
LineLoggerFactory.WriteLine("stopped");
return 0;
