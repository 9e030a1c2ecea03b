namespace SlateDB;

public sealed partial record SlateDbOptions
{
    /// <summary>The fewest reads <see cref="EffectiveMaxInFlightReads"/> derives from a memory budget.</summary>
    private const int MinDerivedInFlightReads = 16;

    /// <summary>The most reads <see cref="EffectiveMaxInFlightReads"/> derives from a memory budget.</summary>
    private const int MaxDerivedInFlightReads = 256;

    /// <summary>The bytes of a memory budget that pay for one read in flight when the cap is derived from the budget.</summary>
    private const long BudgetBytesPerInFlightRead = 4L * 1024 * 1024;

    /// <summary>
    /// Read backpressure (SlateDB issue #646): at most this many object-store reads (<c>GET</c>, ranged <c>GET</c>,
    /// <c>HEAD</c>) the database issues are in flight at once; more wait for a slot. It bounds the response buffers a
    /// cold start of a large database holds at once, when every concurrent get and scan misses every cache. Null (the
    /// default) means no cap, unless <see cref="MemoryBudgetBytes"/> is set: then one read per 4 MiB of the budget,
    /// between 16 and 256 (see <see cref="EffectiveMaxInFlightReads"/>). Writes, deletes and listings are never held
    /// behind it. This engine's own setting (<c>max_in_flight_reads</c>); SlateDB has none.
    /// </summary>
    public int? MaxInFlightReads { get; init; }

    /// <summary>The read cap the engine runs with: <see cref="MaxInFlightReads"/>, or the one derived from the memory
    /// budget, or null for none.</summary>
    public int? EffectiveMaxInFlightReads => MaxInFlightReads
        ?? (MemoryBudgetBytes is { } budget
            ? (int)Math.Clamp(budget / BudgetBytesPerInFlightRead, MinDerivedInFlightReads, MaxDerivedInFlightReads)
            : null);
}
