using System.Text.Json;
using SlateDB.Comparison;
using SlateDB.Comparison.Report;

ComparisonOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(ComparisonOptions.Usage);
        return 0;
    }

    options = ComparisonOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(ComparisonOptions.Usage);
    return 2;
}

if (options.IsChild)
{
    // Child: one engine, one workload; the parent reads the last line.
    var result = await new ChildRun(options).RunAsync();
    Console.WriteLine(JsonSerializer.Serialize(result, Json.Options));
    return 0;
}

var root = options.RepoRoot ?? RepoRoot.Find();
var docs = options.DocsPath ?? Path.Combine(root, "docs", "benchmarks.md");
var resultsPath = options.ResultsPath ?? Path.Combine(Path.GetDirectoryName(docs)!, Path.GetFileNameWithoutExtension(docs), "results.json");
var notesPath = Path.Combine(root, "benchmarks", "SlateDB.Comparison", "notes.md");
ComparisonResults results;
if (options.ReportOnly is { } existing)
{
    results = JsonSerializer.Deserialize<ComparisonResults>(await File.ReadAllTextAsync(existing), Json.Options)
        ?? throw new InvalidOperationException($"{existing} holds no results.");
}
else
{
    Console.WriteLine($"SlateDB.Comparison: {options.Operations:N0} rows, {options.Reads:N0} gets, batch {options.BatchSize:N0}, {options.Repetitions} repetitions{(options.SelectedWorkloads.Contains(Workloads.Ingest) ? $", ingest {options.IngestOperations:N0} puts" : string.Empty)}; engines {string.Join(", ", options.Engines)}; SlateDB.dll: {SlateDbImage.Describe()}");
    results = await new Orchestrator(options, root).RunAsync();
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(resultsPath))!);
    await File.WriteAllTextAsync(resultsPath, JsonSerializer.Serialize(results, Json.Indented));
    Console.WriteLine($"results: {resultsPath}");
}

var notes = File.Exists(notesPath) ? await File.ReadAllTextAsync(notesPath) : string.Empty;
new MarkdownReport(results, notes).Write(docs);
Console.WriteLine($"report: {docs}");
return 0;
