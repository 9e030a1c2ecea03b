using System.Diagnostics;
using System.Globalization;

namespace SlateDB.Comparison;

/// <summary>Peak resident memory of this process.</summary>
internal static class ProcessMemory
{
    /// <summary>VmHWM from /proc/self/status (Linux); elsewhere the process's peak working set.</summary>
    public static long PeakRssBytes()
    {
        const string Status = "/proc/self/status";
        if (File.Exists(Status))
        {
            foreach (var line in File.ReadLines(Status))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
