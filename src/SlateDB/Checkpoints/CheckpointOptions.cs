namespace SlateDB;

/// <summary>Settings of a new checkpoint (SlateDB's <c>CheckpointOptions</c>).</summary>
public sealed record CheckpointOptions
{
    /// <summary>How long the checkpoint lives; null (the default) keeps it until it is deleted. Must be positive.</summary>
    public TimeSpan? Lifetime { get; init; }

    /// <summary>
    /// An existing checkpoint whose manifest version the new one pins (a copy of it with its own id, lifetime and
    /// name); null pins the version the new checkpoint is written into.
    /// </summary>
    public Guid? Source { get; init; }

    /// <summary>A name to find the checkpoint by (<see cref="SlateDbAdmin.ListCheckpointsAsync"/>); names need not be unique.</summary>
    public string? Name { get; init; }

    /// <exception cref="ArgumentOutOfRangeException"><see cref="Lifetime"/> is zero or negative.</exception>
    internal void Validate()
    {
        if (Lifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Lifetime), lifetime, "A checkpoint's lifetime must be positive.");
        }
    }
}
