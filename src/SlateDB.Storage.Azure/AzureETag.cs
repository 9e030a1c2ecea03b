using Azure;

namespace SlateDB.Storage.Azure;

/// <summary>ETag spelling: versions are kept in the quoted form (listings return ETags without quotes, headers with).</summary>
internal static class AzureETag
{
    public static string? Normalize(ETag? etag) => etag is { } value ? Normalize(value.ToString()) : null;

    public static string? Normalize(string? etag)
    {
        if (string.IsNullOrWhiteSpace(etag))
        {
            return null;
        }

        var trimmed = etag.Trim();
        return trimmed.StartsWith('"') || trimmed.StartsWith("W/", StringComparison.Ordinal) ? trimmed : $"\"{trimmed}\"";
    }
}
