using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SlateDB.Extensions.Hosting;

/// <summary>The configuration section whose <c>Settings</c> subsection holds one registration's <see cref="SlateDbOptions"/>.</summary>
internal sealed record SlateDbSettingsSource(string OptionsName, IConfiguration? Section);

/// <summary>
/// Creates <see cref="SlateDbOptions"/> (an immutable record) with <see cref="SlateDbOptions.FromConfiguration"/>, which
/// reads SlateDB's snake_case names and duration forms, then runs the usual configure, post-configure and validation
/// steps of the options pipeline.
/// </summary>
internal sealed class SlateDbOptionsFactory(
    IEnumerable<IConfigureOptions<SlateDbOptions>> setups,
    IEnumerable<IPostConfigureOptions<SlateDbOptions>> postConfigures,
    IEnumerable<IValidateOptions<SlateDbOptions>> validations,
    IEnumerable<SlateDbSettingsSource> sources,
    IOptionsMonitor<SlateDbHostingOptions> hosting)
    : OptionsFactory<SlateDbOptions>(setups, postConfigures, validations)
{
    /// <summary>The subsection of a registration's section that holds the database settings.</summary>
    public const string SettingsSection = "Settings";

    protected override SlateDbOptions CreateInstance(string name)
    {
        var source = sources.LastOrDefault(s => s.OptionsName == name);
        SlateDbOptions options;
        try
        {
            options = source?.Section is { } section
                ? SlateDbOptions.FromConfiguration(section.GetSection(SettingsSection))
                : SlateDbOptions.Default;
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Invalid)
        {
            throw new OptionsValidationException(name, typeof(SlateDbOptions), [e.Message]);
        }

        Func<SlateDbOptions, SlateDbOptions>? configure;
        try
        {
            configure = hosting.Get(name).ConfigureSettings;
        }
        catch (OptionsValidationException)
        {
            // The hosting options are invalid and their own validation reports why; validate the settings as read.
            configure = null;
        }

        return configure is null ? options : configure(options) ?? throw new InvalidOperationException("SlateDbHostingOptions.ConfigureSettings returned null.");
    }
}

/// <summary>Validates <see cref="SlateDbOptions"/> with <see cref="SlateDbOptions.Validate"/>.</summary>
internal sealed class SlateDbOptionsValidator : IValidateOptions<SlateDbOptions>
{
    public ValidateOptionsResult Validate(string? name, SlateDbOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Invalid)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}

/// <summary>Validates <see cref="SlateDbHostingOptions"/>: a store, a path, a positive open timeout.</summary>
internal sealed class SlateDbHostingOptionsValidator : IValidateOptions<SlateDbHostingOptions>
{
    public ValidateOptionsResult Validate(string? name, SlateDbHostingOptions options)
    {
        var problems = new List<string>();
        if (options.ObjectStoreFactory is null)
        {
            if (string.IsNullOrWhiteSpace(options.ObjectStoreUrl))
            {
                problems.Add("ObjectStoreUrl is not set (for example file:///var/lib/app/slatedb or s3://bucket/prefix), and no object store factory was given.");
            }
            else if (!Uri.TryCreate(options.ObjectStoreUrl, UriKind.Absolute, out _))
            {
                problems.Add($"ObjectStoreUrl '{options.ObjectStoreUrl}' is not an absolute URL such as file:///var/lib/app/slatedb or s3://bucket/prefix.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Path))
        {
            problems.Add("Path must name the database's key prefix in the store, for example 'orders' (default 'db').");
        }

        if (options.OpenTimeout <= TimeSpan.Zero && options.OpenTimeout != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"OpenTimeout must be positive (or infinite); it is {options.OpenTimeout}.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
