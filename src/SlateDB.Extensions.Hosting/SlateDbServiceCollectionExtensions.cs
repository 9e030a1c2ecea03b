using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SlateDB.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers SlateDB databases in a generic host or ASP.NET Core application: settings from configuration, validated at
/// start; the database opened by a hosted service when the host starts and closed (buffered data written out) when it
/// stops; <see cref="SlateDB.SlateDb"/> injectable once the host has started.
/// </summary>
public static class SlateDbServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default database, configured from <paramref name="section"/>: <c>ObjectStoreUrl</c>, <c>Path</c>,
    /// <c>OpenTimeout</c> (<see cref="SlateDbHostingOptions"/>) and a <c>Settings</c> subsection with the database's
    /// settings (<see cref="SlateDB.SlateDbOptions"/>, SlateDB's names such as <c>flush_interval</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The configuration section, for example <c>builder.Configuration.GetSection("SlateDb")</c>.</param>
    /// <param name="configure">Changes the hosting options in code after binding (for example to set an object store factory).</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="InvalidOperationException">The default database is already registered.</exception>
    public static IServiceCollection AddSlateDb(this IServiceCollection services, IConfiguration section, Action<SlateDbHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return Register(services, null, section, configure);
    }

    /// <summary>Registers the default database, configured in code only (settings are the defaults unless <see cref="SlateDbHostingOptions.ConfigureSettings"/> changes them).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets where the database lives and how it opens.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="InvalidOperationException">The default database is already registered.</exception>
    public static IServiceCollection AddSlateDb(this IServiceCollection services, Action<SlateDbHostingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Register(services, null, null, configure);
    }

    /// <summary>
    /// Registers a database under <paramref name="name"/>, configured from <paramref name="section"/> as for
    /// <see cref="AddSlateDb(IServiceCollection, IConfiguration, Action{SlateDbHostingOptions}?)"/>. Inject it with
    /// <c>[FromKeyedServices("name")] SlateDb</c>; its options are the named options <paramref name="name"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The service key and options name.</param>
    /// <param name="section">The configuration section.</param>
    /// <param name="configure">Changes the hosting options in code after binding.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="InvalidOperationException">A database is already registered under <paramref name="name"/>.</exception>
    public static IServiceCollection AddKeyedSlateDb(this IServiceCollection services, string name, IConfiguration section, Action<SlateDbHostingOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(section);
        return Register(services, name, section, configure);
    }

    /// <summary>Registers a database under <paramref name="name"/>, configured in code only.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The service key and options name.</param>
    /// <param name="configure">Sets where the database lives and how it opens.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="InvalidOperationException">A database is already registered under <paramref name="name"/>.</exception>
    public static IServiceCollection AddKeyedSlateDb(this IServiceCollection services, string name, Action<SlateDbHostingOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        return Register(services, name, null, configure);
    }

    private static IServiceCollection Register(IServiceCollection services, string? name, IConfiguration? section, Action<SlateDbHostingOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsName = name ?? Options.Options.DefaultName;
        if (services.Any(d => d.ServiceType == typeof(SlateDbSettingsSource) && d.ImplementationInstance is SlateDbSettingsSource s && s.OptionsName == optionsName))
        {
            throw new InvalidOperationException($"A SlateDB database {SlateDbAccessor.Describe(name)} is already registered.");
        }

        services.AddSingleton(new SlateDbSettingsSource(optionsName, section));
        services.TryAddTransient<IOptionsFactory<SlateDB.SlateDbOptions>, SlateDbOptionsFactory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SlateDB.SlateDbOptions>, SlateDbOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SlateDbHostingOptions>, SlateDbHostingOptionsValidator>());

        var hosting = services.AddOptions<SlateDbHostingOptions>(optionsName);
        if (section is not null)
        {
            hosting.Bind(section);
        }

        if (configure is not null)
        {
            hosting.Configure(configure);
        }

        hosting.ValidateOnStart();
        services.AddOptions<SlateDB.SlateDbOptions>(optionsName).ValidateOnStart();

        if (name is null)
        {
            services.AddSingleton(_ => new SlateDbAccessor(null));
            services.AddSingleton(sp => sp.GetRequiredService<SlateDbAccessor>().Database);
            services.AddSingleton<IHostedService>(sp => new SlateDbHostedService(sp.GetRequiredService<SlateDbAccessor>(), sp));
        }
        else
        {
            services.AddKeyedSingleton(name, (_, _) => new SlateDbAccessor(name));
            services.AddKeyedSingleton(name, (sp, key) => sp.GetRequiredKeyedService<SlateDbAccessor>(key).Database);
            services.AddSingleton<IHostedService>(sp => new SlateDbHostedService(sp.GetRequiredKeyedService<SlateDbAccessor>(name), sp));
        }

        return services;
    }
}
