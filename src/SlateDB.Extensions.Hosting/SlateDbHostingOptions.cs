using SlateDB.Storage;

namespace SlateDB.Extensions.Hosting;

/// <summary>
/// Where a hosted database lives and how the host opens it. Bound from the configuration section given to
/// <c>AddSlateDb</c> (keys <c>ObjectStoreUrl</c>, <c>Path</c>, <c>OpenTimeout</c>); the database's own settings come
/// from that section's <c>Settings</c> subsection as <see cref="SlateDbOptions"/>.
/// </summary>
public sealed class SlateDbHostingOptions
{
    /// <summary>The default <see cref="OpenTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultOpenTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The object store's URL, opened with <see cref="ObjectStores.FromUrl"/>: <c>file:///var/lib/app/db</c>,
    /// <c>memory:///</c>, <c>s3://bucket/prefix</c>, <c>az://container/prefix</c>, <c>gs://bucket/prefix</c> (cloud
    /// schemes need their adapter package). Ignored when <see cref="ObjectStoreFactory"/> is set.
    /// </summary>
    public string? ObjectStoreUrl { get; set; }

    /// <summary>Credentials and endpoints for <see cref="ObjectStoreUrl"/>; null takes them from the environment.</summary>
    public ObjectStoreUrlOptions? ObjectStoreUrlOptions { get; set; }

    /// <summary>Creates the object store from the application's services; takes precedence over <see cref="ObjectStoreUrl"/>. The application owns the store it returns.</summary>
    public Func<IServiceProvider, IObjectStore>? ObjectStoreFactory { get; set; }

    /// <summary>The database's path (key prefix) in the object store, for example <c>orders</c>. Default <c>db</c>.</summary>
    public string Path { get; set; } = "db";

    /// <summary>How long the host waits for the database to open at start before the start fails. Default 30 s.</summary>
    public TimeSpan OpenTimeout { get; set; } = DefaultOpenTimeout;

    /// <summary>Changes the settings read from configuration in code (for example <c>s =&gt; s with { FlushInterval = null }</c>); applied before validation.</summary>
    public Func<SlateDbOptions, SlateDbOptions>? ConfigureSettings { get; set; }
}
