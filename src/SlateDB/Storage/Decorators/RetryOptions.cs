namespace SlateDB.Storage;

/// <summary>
/// How <see cref="RetryingObjectStore"/> retries transient failures: exponential backoff from
/// <see cref="InitialBackoff"/>, multiplied by <see cref="Multiplier"/> after every failed attempt and capped at
/// <see cref="MaxBackoff"/>, optionally shortened by a random <see cref="Jitter"/>. The defaults are SlateDB's:
/// 100 ms doubling up to 1 s, no jitter, no bound on the number of retries.
/// </summary>
public sealed record RetryOptions
{
    /// <summary>SlateDB's defaults.</summary>
    public static RetryOptions Default { get; } = new();

    /// <summary>
    /// How many times a failed request is retried after its first attempt, after which the last failure surfaces;
    /// <see langword="null"/> (the default, as in SlateDB) retries transient failures without bound.
    /// </summary>
    public int? MaxRetries { get; init; }

    /// <summary>The wait before the first retry. Default 100 ms.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two attempts. Default 1 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The factor the wait grows by after each failed attempt; at least 1. Default 2.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>
    /// The fraction of each wait that is random, from 0 (the default: waits are exactly the exponential backoff, as in
    /// SlateDB) to 1 ("full jitter": a wait is uniform between zero and the backoff). A wait is
    /// <c>backoff × (1 − Jitter × u)</c> with <c>u</c> uniform in [0, 1), so jitter only shortens waits; it spreads the
    /// retries of many clients that failed together.
    /// </summary>
    public double Jitter { get; init; }

    /// <summary>
    /// Whether a conditional put that found its condition broken (<see cref="PutOutcome.AlreadyExists"/> or
    /// <see cref="PutOutcome.VersionMismatch"/>) reads the object back and reports <see cref="PutOutcome.Written"/> when
    /// the object holds exactly the bytes this put sent (an earlier send of the same put was applied but its response
    /// was lost, whether this class or the store's SDK re-sent it). Default <see langword="true"/>. See
    /// <see cref="RetryingObjectStore"/> for which puts are never resolved this way and why.
    /// </summary>
    public bool ResolveLostConditionalPuts { get; init; } = true;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxRetries is < 0)
        {
            throw new ArgumentException($"MaxRetries must be null or at least 0, not {MaxRetries}.", nameof(MaxRetries));
        }

        if (InitialBackoff < TimeSpan.Zero)
        {
            throw new ArgumentException($"InitialBackoff must not be negative, not {InitialBackoff}.", nameof(InitialBackoff));
        }

        if (MaxBackoff < InitialBackoff)
        {
            throw new ArgumentException($"MaxBackoff ({MaxBackoff}) must not be shorter than InitialBackoff ({InitialBackoff}).", nameof(MaxBackoff));
        }

        if (!double.IsFinite(Multiplier) || Multiplier < 1)
        {
            throw new ArgumentException($"Multiplier must be a finite number of at least 1, not {Multiplier}.", nameof(Multiplier));
        }

        if (!(Jitter is >= 0 and <= 1))
        {
            throw new ArgumentException($"Jitter must be between 0 and 1, not {Jitter}.", nameof(Jitter));
        }
    }

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (0 for the first retry), given <paramref name="unit"/>
    /// uniform in [0, 1) for the jitter.
    /// </summary>
    internal TimeSpan Backoff(int retry, double unit)
    {
        double ticks = InitialBackoff.Ticks;
        if (ticks > 0 && retry > 0)
        {
            // Math.Pow overflows to infinity for long outages; Math.Min then caps it.
            ticks *= Math.Pow(Multiplier, retry);
        }

        ticks = Math.Min(ticks, MaxBackoff.Ticks);
        ticks *= 1 - (Jitter * unit);
        return TimeSpan.FromTicks((long)ticks);
    }
}
