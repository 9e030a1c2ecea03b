namespace SlateDB.Storage;

/// <summary>The kinds of <see cref="PutMode"/>.</summary>
public enum PutModeKind
{
    /// <summary>Write whether or not the object exists.</summary>
    Overwrite,

    /// <summary>Write only if no object has the path (S3 <c>If-None-Match: *</c>).</summary>
    Create,

    /// <summary>Write only if the object exists with the expected version (S3 <c>If-Match</c>).</summary>
    Update,
}

/// <summary>How <see cref="IObjectStore.PutAsync"/> treats an existing object.</summary>
public readonly record struct PutMode
{
    private PutMode(PutModeKind kind, string? expectedVersion, bool trustsConflict = false)
    {
        Kind = kind;
        ExpectedVersion = expectedVersion;
        TrustsConflict = trustsConflict;
    }

    /// <summary>Which condition applies.</summary>
    public PutModeKind Kind { get; }

    /// <summary>For <see cref="PutModeKind.Update"/>, the version the object must still have.</summary>
    public string? ExpectedVersion { get; }

    /// <summary>
    /// True for a conditional put whose conflict <see cref="RetryingObjectStore"/> believes without reading the object
    /// back: another writer may write the very same bytes (an epoch claim), and for this put a false conflict is
    /// harmless while a false success is not.
    /// </summary>
    internal bool TrustsConflict { get; }

    /// <summary>Write whether or not the object exists.</summary>
    public static PutMode Overwrite => new(PutModeKind.Overwrite, null);

    /// <summary>Write only if no object has the path; otherwise the put reports <see cref="PutOutcome.AlreadyExists"/>.</summary>
    public static PutMode Create => new(PutModeKind.Create, null);

    /// <summary>A <see cref="Create"/> whose conflict is believed unchecked (see <see cref="TrustsConflict"/>).</summary>
    internal static PutMode CreateTrustingConflict => new(PutModeKind.Create, null, trustsConflict: true);

    /// <summary>
    /// Write only if the object exists and still has <paramref name="expectedVersion"/>; otherwise the put reports
    /// <see cref="PutOutcome.VersionMismatch"/>.
    /// </summary>
    public static PutMode Update(string expectedVersion)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedVersion);
        return new PutMode(PutModeKind.Update, expectedVersion);
    }

    /// <inheritdoc/>
    public override string ToString() => Kind == PutModeKind.Update ? $"Update({ExpectedVersion})" : Kind.ToString();
}

/// <summary>What a put did.</summary>
public enum PutOutcome
{
    /// <summary>The object was written.</summary>
    Written,

    /// <summary>Nothing was written: a <see cref="PutMode.Create"/> put found an object at the path.</summary>
    AlreadyExists,

    /// <summary>Nothing was written: an <see cref="PutMode.Update(string)"/> put found the object absent or at another version.</summary>
    VersionMismatch,
}

/// <summary>The result of <see cref="IObjectStore.PutAsync"/>.</summary>
/// <param name="Outcome">Whether the object was written, and if not, why.</param>
/// <param name="Version">When written, the object's new version (if the store reports one).</param>
public readonly record struct PutResult(PutOutcome Outcome, string? Version)
{
    /// <summary>True when the object was written.</summary>
    public bool IsWritten => Outcome == PutOutcome.Written;

    /// <summary>A written result with the given version.</summary>
    public static PutResult Written(string? version) => new(PutOutcome.Written, version);

    /// <summary>The result of a create that found the path taken.</summary>
    public static PutResult AlreadyExists => new(PutOutcome.AlreadyExists, null);

    /// <summary>The result of an update whose version no longer matched.</summary>
    public static PutResult VersionMismatch => new(PutOutcome.VersionMismatch, null);
}
