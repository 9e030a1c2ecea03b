using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SlateDB.Storage;

namespace SlateDB.Extensions.Hosting;

/// <summary>Opens one registration's database when the host starts (bounded by its open timeout) and closes it, writing out what is buffered, when the host stops.</summary>
internal sealed partial class SlateDbHostedService(SlateDbAccessor accessor, IServiceProvider services) : IHostedService
{
    private readonly ILogger _logger = services.GetService<ILoggerFactory>()?.CreateLogger("SlateDB.Extensions.Hosting") ?? NullLogger.Instance;
    private IDisposable? _ownedStore;

    private string OptionsName => accessor.Name ?? Options.DefaultName;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var hosting = services.GetRequiredService<IOptionsMonitor<SlateDbHostingOptions>>().Get(OptionsName);
        var settings = services.GetRequiredService<IOptionsMonitor<SlateDbOptions>>().Get(OptionsName);
        var store = hosting.ObjectStoreFactory?.Invoke(services) ?? OpenStoreFromUrl(hosting);
        var builder = SlateDb.Builder(hosting.Path, store).WithOptions(settings);
        if (services.GetService<ILoggerFactory>() is { } loggerFactory)
        {
            builder.WithLoggerFactory(loggerFactory);
        }

        if (services.GetService<System.Diagnostics.Metrics.IMeterFactory>() is { } meterFactory)
        {
            builder.WithMeterFactory(meterFactory);
        }

        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        using var cancelOpen = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var open = builder.OpenAsync(cancelOpen.Token);
        SlateDb database;
        try
        {
            database = await open.WaitAsync(hosting.OpenTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            await cancelOpen.CancelAsync().ConfigureAwait(false);
            _ = CloseWhenOpenedAsync(open);
            if (e is TimeoutException)
            {
                throw new TimeoutException(
                    $"The SlateDB database {SlateDbAccessor.Describe(accessor.Name)} at path '{hosting.Path}' did not open within {hosting.OpenTimeout} "
                    + "(SlateDbHostingOptions.OpenTimeout), so the host does not start. Check that the object store is reachable.",
                    e);
            }

            throw;
        }
        catch
        {
            // The open failed: nothing will use the store it was given.
            _ownedStore?.Dispose();
            throw;
        }

        accessor.Set(database);
        Log.Opened(_logger, SlateDbAccessor.Describe(accessor.Name), hosting.Path);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!accessor.TryGetDatabase(out var database))
        {
            return;
        }

        try
        {
            // The close writes the WAL buffer and the memtable out before it stops background work.
            await database.CloseAsync(cancellationToken).ConfigureAwait(false);
            Log.Closed(_logger, SlateDbAccessor.Describe(accessor.Name));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.CloseAbandoned(_logger, SlateDbAccessor.Describe(accessor.Name));
        }
        catch (SlateDbException e)
        {
            // Fenced or failed earlier, or writing out failed: the message says whether writes were lost.
            Log.CloseFailed(_logger, SlateDbAccessor.Describe(accessor.Name), e);
        }
        finally
        {
            _ownedStore?.Dispose();
        }
    }

    private IObjectStore OpenStoreFromUrl(SlateDbHostingOptions hosting)
    {
        var store = ObjectStores.FromUrl(hosting.ObjectStoreUrl!, hosting.ObjectStoreUrlOptions);
        _ownedStore = store as IDisposable;
        return store;
    }

    private async Task CloseWhenOpenedAsync(Task<SlateDb> open)
    {
        try
        {
            var late = await open.ConfigureAwait(false);
            await late.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.LateOpenAbandoned(_logger, SlateDbAccessor.Describe(accessor.Name), e);
        }
        finally
        {
            _ownedStore?.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "SlateDB database {Name} opened at path '{Path}'.")]
        public static partial void Opened(ILogger logger, string name, string path);

        [LoggerMessage(2, LogLevel.Information, "SlateDB database {Name} closed.")]
        public static partial void Closed(ILogger logger, string name);

        [LoggerMessage(3, LogLevel.Warning, "The host stopped waiting for SlateDB database {Name} to close; the close goes on writing out buffered data.")]
        public static partial void CloseAbandoned(ILogger logger, string name);

        [LoggerMessage(4, LogLevel.Error, "SlateDB database {Name} did not close cleanly.")]
        public static partial void CloseFailed(ILogger logger, string name, Exception error);

        [LoggerMessage(5, LogLevel.Debug, "An open of SlateDB database {Name} abandoned at start ended without a database.")]
        public static partial void LateOpenAbandoned(ILogger logger, string name, Exception error);
    }
}
