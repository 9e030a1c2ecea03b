using System.Diagnostics.CodeAnalysis;

namespace SlateDB.Format;

/// <summary>
/// Throw helpers for bad stored bytes: every decoder in the format layer reports problems through these,
/// so the only exception a caller sees for corrupt input is <see cref="SlateDbException"/> of kind
/// <see cref="SlateDbErrorKind.Data"/>. Kept out of line so hot decode paths stay small.
/// </summary>
internal static class Corruption
{
    /// <summary>Throws <see cref="SlateDbException.Corrupt"/> for the named object.</summary>
    [DoesNotReturn]
    public static void Throw(string objectName, string detail, Exception? innerException = null)
        => throw SlateDbException.Corrupt(objectName, detail, innerException);

    /// <summary>Throws <see cref="SlateDbException.Corrupt"/>; typed so it can stand in an expression.</summary>
    [DoesNotReturn]
    public static T Throw<T>(string objectName, string detail, Exception? innerException = null)
        => throw SlateDbException.Corrupt(objectName, detail, innerException);
}
