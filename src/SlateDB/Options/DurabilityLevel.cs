namespace SlateDB;

/// <summary>Which writes a read may see.</summary>
public enum DurabilityLevel
{
    /// <summary>Everything committed, including writes only in memory so far (the default).</summary>
    Memory,

    /// <summary>Only writes already durable in object storage.</summary>
    Remote,
}
