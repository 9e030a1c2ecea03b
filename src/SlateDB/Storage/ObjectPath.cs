using System.Runtime.CompilerServices;

namespace SlateDB.Storage;

/// <summary>Rules for object paths: relative keys of non-empty <c>/</c>-separated segments.</summary>
public static class ObjectPath
{
    /// <summary>
    /// Checks a path: not empty, no leading or trailing <c>/</c>, no empty, <c>.</c> or <c>..</c> segment, no
    /// backslash or control character.
    /// </summary>
    /// <exception cref="ArgumentException">The path breaks a rule.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Validate(string path, string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(path, paramName ?? nameof(path));
        if (!IsValid(path, allowTrailingSlash: false))
        {
            throw new ArgumentException($"'{path}' is not a valid object path: use non-empty segments separated by '/', without '.', '..', '\\' or control characters.", paramName ?? nameof(path));
        }
    }

    /// <summary>Checks a listing prefix: empty, or a valid path optionally followed by <c>/</c>.</summary>
    /// <exception cref="ArgumentException">The prefix breaks a rule.</exception>
    public static void ValidatePrefix(string prefix, string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName ?? nameof(prefix));
        if (prefix.Length != 0 && !IsValid(prefix, allowTrailingSlash: true))
        {
            throw new ArgumentException($"'{prefix}' is not a valid object path prefix.", paramName ?? nameof(prefix));
        }
    }

    /// <summary>
    /// Checks a store's key prefix (where an adapter keeps every object): leading and trailing <c>/</c> are ignored,
    /// the rest is empty or a valid prefix.
    /// </summary>
    /// <exception cref="ArgumentException">The prefix breaks a rule.</exception>
    public static void ValidateStorePrefix(string prefix, string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName ?? nameof(prefix));
        var trimmed = prefix.Trim('/');
        if (trimmed.Length > 0)
        {
            ValidatePrefix(trimmed, paramName);
        }
    }

    /// <summary>Joins segments with <c>/</c>, skipping empty ones and trimming slashes at the joins.</summary>
    public static string Combine(params ReadOnlySpan<string> parts)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var part in parts)
        {
            var trimmed = part.AsSpan().Trim('/');
            if (trimmed.IsEmpty)
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append('/');
            }

            builder.Append(trimmed);
        }

        return builder.ToString();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsValid(string path, bool allowTrailingSlash)
    {
        if (path.Length == 0 || path[0] == '/')
        {
            return false;
        }

        var span = path.AsSpan();
        if (allowTrailingSlash && span[^1] == '/')
        {
            span = span[..^1];
        }

        if (span.IsEmpty)
        {
            return false;
        }

        foreach (var segmentRange in span.Split('/'))
        {
            var segment = span[segmentRange];
            if (segment.IsEmpty || segment is "." or "..")
            {
                return false;
            }

            foreach (var c in segment)
            {
                if (c == '\\' || char.IsControl(c))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
