using System.Globalization;
using System.Runtime.InteropServices;

namespace SlateDB.Comparison;

/// <summary>The machine a run happened on.</summary>
internal sealed record MachineInfo
{
    public required string Cpu { get; init; }

    public int LogicalCores { get; init; }

    public double MemoryGiB { get; init; }

    public required string Os { get; init; }

    public required string Dotnet { get; init; }

    public string? Node { get; init; }

    public required string LoadAverageAtStart { get; init; }

    public string? LoadAverageAtEnd { get; set; }

    public static async Task<MachineInfo> CollectAsync(string? nodeVersion) => new()
    {
        Cpu = await CpuModelAsync().ConfigureAwait(false),
        LogicalCores = Environment.ProcessorCount,
        MemoryGiB = Math.Round(await MemTotalKbAsync().ConfigureAwait(false) / 1024.0 / 1024.0, 1),
        Os = RuntimeInformation.OSDescription + " " + RuntimeInformation.OSArchitecture,
        Dotnet = RuntimeInformation.FrameworkDescription,
        Node = nodeVersion,
        LoadAverageAtStart = await LoadAverageAsync().ConfigureAwait(false),
    };

    public static async Task<string> LoadAverageAsync() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', (await File.ReadAllTextAsync("/proc/loadavg").ConfigureAwait(false)).Split(' ').Take(3)) : "n/a";

    private static async Task<string> CpuModelAsync()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }

        var line = (await File.ReadAllLinesAsync("/proc/cpuinfo").ConfigureAwait(false)).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static async Task<long> MemTotalKbAsync()
    {
        if (!File.Exists("/proc/meminfo"))
        {
            return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024;
        }

        var line = (await File.ReadAllLinesAsync("/proc/meminfo").ConfigureAwait(false)).First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
