using System.Collections;
using Microsoft.Extensions.Logging;

namespace SlateDB.Diagnostics;

/// <summary>
/// Hands out loggers that write every message inside a scope naming the database (<c>SlateDbName</c>), so that logs of
/// several databases in one process can be told apart by any provider that shows scopes. Disposing it does not
/// dispose the wrapped factory (the caller owns that).
/// </summary>
internal sealed class DbScopedLoggerFactory(ILoggerFactory inner, string dbName) : ILoggerFactory
{
    private readonly DbScope _scope = new(dbName);

    public ILoggerFactory Inner => inner;

    public ILogger CreateLogger(string categoryName) => new ScopedLogger(inner.CreateLogger(categoryName), _scope);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
    }

    private sealed class ScopedLogger(ILogger inner, DbScope scope) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            using (inner.BeginScope(scope))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }

    /// <summary>The scope's state: one property, <c>SlateDbName</c>; prints as <c>SlateDB 'name'</c>.</summary>
    private sealed class DbScope(string dbName) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?> _entry = new("SlateDbName", dbName);

        public int Count => 1;

        public KeyValuePair<string, object?> this[int index] => index == 0 ? _entry : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return _entry;
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"SlateDB '{dbName}'";
    }
}
