using System.Diagnostics.Tracing;

namespace SlateDB.Benchmarks.Compaction;

/// <summary>
/// Samples allocations by type from the runtime's allocation tick events (one event per ~100 KB allocated), for the
/// compaction probe: each sample stands for about 100 KB of that type.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, (long Bytes, int Samples)> _byType = [];
    private readonly object _lock = new();

    public bool Enabled { get; set; }

    /// <summary>Bytes sampled per type, largest first.</summary>
    public IReadOnlyList<(string Type, long Bytes, int Samples)> Take()
    {
        lock (_lock)
        {
            var result = _byType.Select(pair => (pair.Key, pair.Value.Bytes, pair.Value.Samples)).OrderByDescending(entry => entry.Bytes).ToList();
            _byType.Clear();
            return result;
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Enabled || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var names = eventData.PayloadNames!;
        var type = (string?)eventData.Payload[names.IndexOf("TypeName")] ?? "?";
        var amount = Convert.ToInt64(eventData.Payload[names.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        lock (_lock)
        {
            _byType.TryGetValue(type, out var sum);
            _byType[type] = (sum.Bytes + amount, sum.Samples + 1);
        }
    }
}
