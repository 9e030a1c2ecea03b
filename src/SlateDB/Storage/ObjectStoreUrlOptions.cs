namespace SlateDB.Storage;

/// <summary>
/// Settings for <see cref="ObjectStores.FromUrl"/>: named values such as <c>aws_access_key_id</c> or
/// <c>azure_storage_account_name</c>, read from <see cref="Settings"/> first and then from environment variables of the
/// same name in upper case (<c>AWS_ACCESS_KEY_ID</c>), as SlateDB's <c>resolve_object_store</c> reads them.
/// </summary>
public sealed class ObjectStoreUrlOptions
{
    /// <summary>Values by setting name (case-insensitive). They win over the environment.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a setting missing from <see cref="Settings"/> is read from the environment. On by default.</summary>
    public bool UseEnvironment { get; set; } = true;

    /// <summary>
    /// Reads one environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/> unless replaced, for
    /// example by tests).
    /// </summary>
    public Func<string, string?> EnvironmentReader { get; set; } = Environment.GetEnvironmentVariable;

    /// <summary>
    /// The first non-empty value among <paramref name="names"/>: for each name in turn, <see cref="Settings"/> and then
    /// (when <see cref="UseEnvironment"/>) the environment variable of that name in upper case.
    /// </summary>
    /// <returns>The value, or <see langword="null"/> when no name has one.</returns>
    public string? GetSetting(params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (Settings.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value))
            {
                return value;
            }

            if (UseEnvironment)
            {
                var fromEnvironment = EnvironmentReader(name.ToUpperInvariant());
                if (!string.IsNullOrEmpty(fromEnvironment))
                {
                    return fromEnvironment;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A yes/no setting read as <see cref="GetSetting"/> does: <c>true</c>, <c>1</c>, <c>yes</c> or <c>on</c>, and
    /// <c>false</c>, <c>0</c>, <c>no</c> or <c>off</c> (any case).
    /// </summary>
    /// <returns>The value, or <see langword="null"/> when no name has one.</returns>
    /// <exception cref="ArgumentException">The value is not one of the words above.</exception>
    public bool? GetFlag(params ReadOnlySpan<string> names)
    {
        var value = GetSetting(names);
        if (value is null)
        {
            return null;
        }

        return value.Trim().ToUpperInvariant() switch
        {
            "TRUE" or "1" or "YES" or "ON" => true,
            "FALSE" or "0" or "NO" or "OFF" => false,
            _ => throw new ArgumentException($"Setting '{names[0]}' has the value '{value}', which is not true or false."),
        };
    }
}
