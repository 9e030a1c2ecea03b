using System.CommandLine;

namespace SlateDB.Cli.Infrastructure;

/// <summary>Runs a command's action: loads the env file, maps every failure to one line on stderr and an exit code.</summary>
internal static class CommandRunner
{
    /// <summary>Sets <paramref name="action"/> as <paramref name="command"/>'s action, with the CLI's error handling.</summary>
    public static Command WithAction(this Command command, Func<CliContext, Task<int>> action)
    {
        command.SetAction((parse, cancellationToken) => RunAsync(parse, action, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<CliContext, Task<int>> action, CancellationToken cancellationToken)
    {
        var verbose = parse.GetValue(GlobalOptions.Verbose);
        CliContext? context = null;
        try
        {
            if (parse.GetValue(GlobalOptions.EnvFile) is { Length: > 0 } envFile)
            {
                EnvFile.Load(envFile);
            }

            context = new CliContext(parse, cancellationToken);
            return await action(context).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            var (code, message) = Describe(exception, cancellationToken);
            if (context?.ResolvedTarget is { } target)
            {
                // The library names the database by its path in the store; the user named it by URL.
                message = message.Replace($"'{target.DbPath}'", $"'{target.Url}'", StringComparison.Ordinal);
            }

            await Console.Error.WriteLineAsync(verbose ? $"slatedb: {exception}" : $"slatedb: {OneLine(message)}").ConfigureAwait(false);
            return code;
        }
    }

    /// <summary>The exit code and message for a failure.</summary>
    internal static (int Code, string Message) Describe(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }

        return exception switch
        {
            CliException cli => (cli.ExitCode, cli.Message),
            OperationCanceledException when cancellationToken.IsCancellationRequested => (ExitCodes.Interrupted, "interrupted."),
            SlateDbException db when FromCloudSdk(db) => (ExitCodes.Unavailable, db.Message),
            SlateDbException db => (db.Kind switch
            {
                SlateDbErrorKind.Invalid => ExitCodes.NotFound,
                SlateDbErrorKind.Data => ExitCodes.Corrupt,
                SlateDbErrorKind.Unavailable => ExitCodes.Unavailable,
                SlateDbErrorKind.Closed => ExitCodes.Fenced,
                _ => ExitCodes.Failure,
            }, db.Message),
            ArgumentException or FormatException or OverflowException => (ExitCodes.Usage, exception.Message),
            HttpRequestException or TimeoutException or IOException or UnauthorizedAccessException => (ExitCodes.Unavailable, exception.Message),
            _ when exception.GetType().FullName?.StartsWith("Amazon.", StringComparison.Ordinal) == true
                || exception.GetType().FullName?.StartsWith("Azure.", StringComparison.Ordinal) == true
                || exception.GetType().FullName?.StartsWith("Google.", StringComparison.Ordinal) == true => (ExitCodes.Unavailable, $"the object store failed: {exception.Message}"),
            _ => (ExitCodes.Failure, $"{exception.GetType().Name}: {exception.Message}"),
        };
    }

    /// <summary>True when the store's SDK failed underneath (credentials, permissions, endpoint): not a missing database.</summary>
    private static bool FromCloudSdk(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            var name = inner.GetType().FullName ?? string.Empty;
            if (inner is HttpRequestException || name.StartsWith("Amazon.", StringComparison.Ordinal) || name.StartsWith("Azure.", StringComparison.Ordinal) || name.StartsWith("Google.", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
