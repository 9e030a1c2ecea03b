namespace SlateDB;

/// <summary>Why a database is closed, carried by <see cref="SlateDbException"/> of kind <see cref="SlateDbErrorKind.Closed"/>.</summary>
public enum CloseReason
{
    /// <summary>Not closed (used on exceptions of other kinds).</summary>
    None,

    /// <summary>The application closed the database.</summary>
    Clean,

    /// <summary>Another writer (or compactor) opened the same database and took it over; this instance may never write again.</summary>
    Fenced,

    /// <summary>A fatal background error closed the database; the inner exception says which.</summary>
    Failed,
}
