namespace SlateDB.Storage.Aws;

/// <summary>ETag spelling: versions are kept quoted (as HTTP writes them) and sent in <c>If-Match</c> as configured.</summary>
internal static class S3ETag
{
    /// <summary>The quoted form of an ETag (a weak <c>W/"..."</c> tag stays as it is); null when there is none.</summary>
    public static string? Normalize(string? etag)
    {
        if (string.IsNullOrWhiteSpace(etag))
        {
            return null;
        }

        var trimmed = etag.Trim();
        return trimmed.StartsWith('"') || trimmed.StartsWith("W/", StringComparison.Ordinal) ? trimmed : $"\"{trimmed}\"";
    }

    /// <summary>The value of an <c>If-Match</c> header naming <paramref name="version"/>.</summary>
    public static string ForIfMatch(string version, S3IfMatchQuoting quoting)
    {
        var bare = version.Trim();
        if (bare.Length >= 2 && bare[0] == '"' && bare[^1] == '"')
        {
            bare = bare[1..^1];
        }

        return quoting == S3IfMatchQuoting.Quoted ? $"\"{bare}\"" : bare;
    }
}
