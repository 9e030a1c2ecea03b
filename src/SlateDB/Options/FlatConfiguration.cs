using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace SlateDB;

/// <summary>
/// A read-only <see cref="IConfiguration"/> over flattened settings (<c>a:b:c</c> keys, case-insensitive), so
/// <see cref="SlateDbOptions.FromJson"/> reuses the configuration binder without the whole configuration stack
/// (<c>Microsoft.Extensions.Configuration</c>) in the core package.
/// </summary>
internal sealed class FlatConfiguration : IConfigurationSection
{
    private readonly Dictionary<string, string?> _values;
    private readonly string _path;

    public FlatConfiguration(Dictionary<string, string?> values, string path = "")
    {
        _values = values;
        _path = path;
    }

    public string Key => _path.Length == 0 ? string.Empty : _path[(_path.LastIndexOf(':') + 1)..];

    public string Path => _path;

    public string? Value
    {
        get => _path.Length != 0 && _values.TryGetValue(_path, out var value) ? value : null;
        set => throw new NotSupportedException("Settings read from JSON are read-only.");
    }

    public string? this[string key]
    {
        get => _values.TryGetValue(Combine(key), out var value) ? value : null;
        set => throw new NotSupportedException("Settings read from JSON are read-only.");
    }

    public IConfigurationSection GetSection(string key) => new FlatConfiguration(_values, Combine(key));

    public IEnumerable<IConfigurationSection> GetChildren()
    {
        var prefix = _path.Length == 0 ? string.Empty : _path + ":";
        var names = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in _values.Keys)
        {
            if (key.Length <= prefix.Length || !key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var rest = key[prefix.Length..];
            var end = rest.IndexOf(':');
            names.Add(end < 0 ? rest : rest[..end]);
        }

        return names.Select(name => (IConfigurationSection)new FlatConfiguration(_values, prefix + name)).ToList();
    }

    public IChangeToken GetReloadToken() => NeverChanges.Instance;

    private string Combine(string key) => _path.Length == 0 ? key : _path + ":" + key;

    /// <summary>The settings never reload.</summary>
    private sealed class NeverChanges : IChangeToken
    {
        public static readonly NeverChanges Instance = new();

        public bool HasChanged => false;

        public bool ActiveChangeCallbacks => false;

        public IDisposable RegisterChangeCallback(Action<object?> callback, object? state) => NoRegistration.Instance;
    }

    private sealed class NoRegistration : IDisposable
    {
        public static readonly NoRegistration Instance = new();

        public void Dispose()
        {
        }
    }
}
