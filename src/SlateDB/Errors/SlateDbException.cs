namespace SlateDB;

/// <summary>
/// The one exception type SlateDB throws for its own failures. Branch on <see cref="Kind"/> (and, for
/// <see cref="SlateDbErrorKind.Closed"/>, on <see cref="CloseReason"/>); the message is for people.
/// Argument problems throw the BCL's argument exceptions and cancellation throws <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class SlateDbException : Exception
{
    /// <summary>Creates an exception of the given kind.</summary>
    public SlateDbException(SlateDbErrorKind kind, string message)
        : this(kind, message, innerException: null)
    {
    }

    /// <summary>Creates an exception of the given kind wrapping the exception that caused it.</summary>
    public SlateDbException(SlateDbErrorKind kind, string message, Exception? innerException)
        : base(message, innerException)
    {
        Kind = kind;
        CloseReason = kind == SlateDbErrorKind.Closed ? CloseReason.Clean : CloseReason.None;
    }

    private SlateDbException(CloseReason reason, string message, Exception? innerException)
        : base(message, innerException)
    {
        Kind = SlateDbErrorKind.Closed;
        CloseReason = reason;
    }

    /// <summary>Creates an exception for a generic failure (kind <see cref="SlateDbErrorKind.Internal"/>).</summary>
    public SlateDbException()
        : this(SlateDbErrorKind.Internal, "SlateDB failed.")
    {
    }

    /// <summary>Creates an exception for a generic failure (kind <see cref="SlateDbErrorKind.Internal"/>).</summary>
    public SlateDbException(string message)
        : this(SlateDbErrorKind.Internal, message)
    {
    }

    /// <summary>Creates an exception for a generic failure (kind <see cref="SlateDbErrorKind.Internal"/>).</summary>
    public SlateDbException(string message, Exception? innerException)
        : this(SlateDbErrorKind.Internal, message, innerException)
    {
    }

    /// <summary>What kind of failure this is, and so what the caller should do.</summary>
    public SlateDbErrorKind Kind { get; }

    /// <summary>For <see cref="SlateDbErrorKind.Closed"/>, why the database closed; otherwise <see cref="CloseReason.None"/>.</summary>
    public CloseReason CloseReason { get; }

    /// <summary>Creates a <see cref="SlateDbErrorKind.Closed"/> exception with the given reason.</summary>
    public static SlateDbException Closed(CloseReason reason, string message, Exception? innerException = null)
    {
        if (reason == CloseReason.None)
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "A closed database has a close reason.");
        }

        return new SlateDbException(reason, message, innerException);
    }

    /// <summary>Creates a <see cref="SlateDbErrorKind.Data"/> exception naming the object whose bytes are bad.</summary>
    public static SlateDbException Corrupt(string objectName, string detail, Exception? innerException = null)
        => new(SlateDbErrorKind.Data, $"Corrupt or unreadable data in '{objectName}': {detail}", innerException);
}
