namespace SlateDB.Testing;

/// <summary>Which requests a <see cref="FaultInjectingObjectStore"/> may delay or fail.</summary>
[Flags]
public enum FaultOperations
{
    /// <summary>No request.</summary>
    None = 0,

    /// <summary>Whole-object reads.</summary>
    Get = 1,

    /// <summary>Byte-range reads.</summary>
    GetRange = 2,

    /// <summary>Metadata reads.</summary>
    Head = 4,

    /// <summary>Unconditional puts.</summary>
    PutOverwrite = 8,

    /// <summary>Create-if-absent puts.</summary>
    PutCreate = 16,

    /// <summary>Update-if-version puts.</summary>
    PutUpdate = 32,

    /// <summary>Deletes.</summary>
    Delete = 64,

    /// <summary>Listings.</summary>
    List = 128,

    /// <summary>Every read: gets, range gets, heads and listings.</summary>
    Reads = Get | GetRange | Head | List,

    /// <summary>Puts of every mode.</summary>
    Puts = PutOverwrite | PutCreate | PutUpdate,

    /// <summary>Conditional puts (create and update).</summary>
    ConditionalPuts = PutCreate | PutUpdate,

    /// <summary>Every request.</summary>
    All = Reads | Puts | Delete,
}

/// <summary>
/// What a <see cref="FaultInjectingObjectStore"/> does to the requests it selects (by <see cref="Operations"/> and
/// <see cref="PathPrefix"/>). For each selected request one random draw picks at most one fault, so the three
/// probabilities must add up to at most 1.
/// </summary>
public sealed record FaultInjectionOptions
{
    /// <summary>No faults and no latency.</summary>
    public static FaultInjectionOptions None { get; } = new();

    /// <summary>A fixed delay added before every selected request. Default none.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>A further random delay, uniform in [0, <see cref="LatencyJitter"/>), added to <see cref="Latency"/>. Default none.</summary>
    public TimeSpan LatencyJitter { get; init; }

    /// <summary>
    /// The chance a selected request fails before reaching the wrapped store (nothing happens) with a
    /// <see cref="SlateDbException"/> of kind <see cref="SlateDbErrorKind.Unavailable"/>.
    /// </summary>
    public double TransientFailureProbability { get; init; }

    /// <summary>
    /// The chance a selected request is applied to the wrapped store and then fails with a
    /// <see cref="SlateDbException"/> of kind <see cref="SlateDbErrorKind.Unavailable"/>, as when a response is lost
    /// on the network.
    /// </summary>
    public double LostResponseProbability { get; init; }

    /// <summary>
    /// The chance a selected request fails before reaching the wrapped store with a <see cref="SlateDbException"/> of
    /// kind <see cref="SlateDbErrorKind.Internal"/>, which no retry cures.
    /// </summary>
    public double PermanentFailureProbability { get; init; }

    /// <summary>Which kinds of request are selected. Default all.</summary>
    public FaultOperations Operations { get; init; } = FaultOperations.All;

    /// <summary>
    /// Selects only requests on paths starting with this prefix (ordinal); empty (the default) selects every path. A
    /// listing is selected when its prefix and this one overlap (either starts with the other).
    /// </summary>
    public string PathPrefix { get; init; } = string.Empty;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Latency < TimeSpan.Zero || LatencyJitter < TimeSpan.Zero)
        {
            throw new ArgumentException($"Latency ({Latency}) and LatencyJitter ({LatencyJitter}) must not be negative.", nameof(Latency));
        }

        CheckProbability(TransientFailureProbability, nameof(TransientFailureProbability));
        CheckProbability(LostResponseProbability, nameof(LostResponseProbability));
        CheckProbability(PermanentFailureProbability, nameof(PermanentFailureProbability));
        if (TransientFailureProbability + LostResponseProbability + PermanentFailureProbability > 1)
        {
            throw new ArgumentException("The fault probabilities must add up to at most 1.", nameof(TransientFailureProbability));
        }

        ArgumentNullException.ThrowIfNull(PathPrefix, nameof(PathPrefix));
    }

    internal bool Selects(FaultOperations operation, string path) =>
        (Operations & operation) != 0 && path.StartsWith(PathPrefix, StringComparison.Ordinal);

    internal bool SelectsListing(string prefix) =>
        (Operations & FaultOperations.List) != 0
        && (prefix.StartsWith(PathPrefix, StringComparison.Ordinal) || PathPrefix.StartsWith(prefix, StringComparison.Ordinal));

    private static void CheckProbability(double value, string name)
    {
        if (!(value is >= 0 and <= 1))
        {
            throw new ArgumentException($"{name} must be between 0 and 1, not {value}.", name);
        }
    }
}
