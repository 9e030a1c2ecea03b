using Microsoft.Extensions.Logging;

namespace SlateDB;

/// <summary>Log messages of the settings reader (source-generated; event ids 100-109).</summary>
internal static partial class SettingsLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Unknown setting '{Name}' is ignored (SlateDB v0.15 has no such key).")]
    public static partial void UnknownSetting(ILogger logger, string name);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Setting {Setting} is kept but not acted upon yet by SlateDB for .NET (see docs/configuration.md).")]
    public static partial void NotActedUpon(ILogger logger, string setting);
}
