using Microsoft.Extensions.Logging;

namespace SlateDB.Tests.Storage.Decorators;

/// <summary>A logger factory that hands out one logger for every category (a <see cref="ListLogger"/>, say).</summary>
internal sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => logger;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
