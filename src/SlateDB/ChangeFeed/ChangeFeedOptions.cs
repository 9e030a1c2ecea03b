namespace SlateDB;

/// <summary>Where a <see cref="ChangeFeed"/> starts and how it waits for more.</summary>
public sealed record ChangeFeedOptions
{
    /// <summary>
    /// The first sequence wanted: rows with a lower sequence are skipped, and the feed fails with a gap error when the
    /// WAL no longer holds this sequence. A consumer resumes with its last sequence plus one. Null (the default)
    /// starts at the oldest row the WAL still holds. Sequences start at 1; 0 means from the first write.
    /// </summary>
    public long? FromSequence { get; init; }

    /// <summary>
    /// How often the feed looks for the next WAL file once it has read them all. Default 100 ms. An in-process feed
    /// (<see cref="SlateDb.ChangesAsync"/>) also wakes as soon as its database writes a WAL file.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
