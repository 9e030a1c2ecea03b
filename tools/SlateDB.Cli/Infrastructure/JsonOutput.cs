using System.Text.Json;
using System.Text.Json.Serialization;

namespace SlateDB.Cli.Infrastructure;

/// <summary>JSON as the commands write it: snake_case names (as SlateDB's CLI), indented, enums as strings.</summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>One line per value (JSON lines).</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };

    public static string Serialize(object? value) => JsonSerializer.Serialize(value, Options);
}
