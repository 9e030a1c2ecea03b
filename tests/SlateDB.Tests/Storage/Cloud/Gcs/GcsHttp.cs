using System.Globalization;
using System.Text;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>One HTTP request as <see cref="GcsTestServer"/> received it: the path still percent-encoded, the query decoded.</summary>
internal sealed record GcsRequest(
    string Method,
    string RawPath,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    string Host)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    public string? Param(string name) => Query.GetValueOrDefault(name);

    /// <summary>Parses <c>a=b&amp;c=d</c> as a form-encoded query (<c>+</c> is a space, <c>%XX</c> a byte of UTF-8).</summary>
    public static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            result[name] = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
        }

        return result;

        static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }
}

/// <summary>One HTTP response of <see cref="GcsTestServer"/>.</summary>
internal sealed record GcsResponse(int Status, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public static GcsResponse Json(int status, string json, IReadOnlyDictionary<string, string>? headers = null)
    {
        var all = new Dictionary<string, string>(headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = "application/json; charset=UTF-8",
        };
        return new GcsResponse(status, Encoding.UTF8.GetBytes(json), all);
    }

    /// <summary>An error in the JSON API's documented shape: <c>{"error": {"code", "message", "errors": [{"reason"}]}}</c>.</summary>
    public static GcsResponse Error(int status, string reason, string message) => Json(status,
        "{\"error\":{\"code\":" + status.ToString(CultureInfo.InvariantCulture) + ",\"message\":" + GcsJson.Quote(message)
        + ",\"errors\":[{\"domain\":\"global\",\"reason\":" + GcsJson.Quote(reason) + ",\"message\":" + GcsJson.Quote(message) + "}]}}");

    public static GcsResponse Empty(int status, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, [], headers ?? new Dictionary<string, string>());
}

/// <summary>JSON spelling helpers.</summary>
internal static class GcsJson
{
    public static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case < ' ': builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: builder.Append(c); break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>RFC 3339 with milliseconds in UTC, as GCS writes <c>updated</c> and <c>timeCreated</c>.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>CRC32C (Castagnoli), as GCS reports it in <c>crc32c</c> and <c>x-goog-hash</c>: big-endian, base64.</summary>
internal static class GcsCrc32C
{
    private static readonly uint[] s_table = BuildTable();

    public static string Base64(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        crc ^= 0xFFFFFFFFu;
        return Convert.ToBase64String([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var value = i;
            for (var bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? 0x82F63B78u ^ (value >> 1) : value >> 1;
            }

            table[i] = value;
        }

        return table;
    }
}

/// <summary>MD5, as GCS reports it in <c>md5Hash</c> and <c>x-goog-hash</c> (base64): an integrity checksum there, not security.</summary>
internal static class GcsMd5
{
#pragma warning disable CA5351 // GCS defines md5Hash as MD5; it checks bytes, it protects nothing.
    public static string Base64(byte[] data) => Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(data));
#pragma warning restore CA5351
}
