using Microsoft.Extensions.Logging;

namespace SlateDB.CompactorProcess;

/// <summary>Writes every log message to standard output as one line: <c>log &lt;event id&gt; &lt;message&gt;</c>.</summary>
internal sealed class LineLoggerFactory : ILoggerFactory
{
    private static readonly Lock s_output = new();

    public static void WriteLine(string line)
    {
        lock (s_output)
        {
            Console.Out.WriteLine(line.ReplaceLineEndings(" "));
            Console.Out.Flush();
        }
    }

    public ILogger CreateLogger(string categoryName) => new LineLogger();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class LineLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                WriteLine($"log {eventId.Id} {formatter(state, exception)}{(exception is null ? "" : " | " + exception.Message)}");
            }
        }
    }
}
