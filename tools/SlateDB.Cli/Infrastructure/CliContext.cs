using System.CommandLine;
using Spectre.Console;

namespace SlateDB.Cli.Infrastructure;

/// <summary>What a command's action works with: the parsed options, the database, the consoles.</summary>
internal sealed class CliContext
{
    private readonly ParseResult _parse;
    private DbTarget? _target;

    public CliContext(ParseResult parse, CancellationToken cancellationToken)
    {
        _parse = parse;
        CancellationToken = cancellationToken;
        Json = parse.GetValue(GlobalOptions.Json);
        Out = AnsiConsole.Console;
        Err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    }

    public CancellationToken CancellationToken { get; }

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool Json { get; }

    /// <summary>Standard output, for results.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Standard error, for progress and notes (so stdout stays the result).</summary>
    public IAnsiConsole Err { get; }

    /// <summary>Whether progress bars are drawn: standard error is a terminal and the output is not JSON.</summary>
    public bool ShowProgress => !Json && Err.Profile.Capabilities.Interactive && !Console.IsErrorRedirected;

    public T? Get<T>(Option<T> option) => _parse.GetValue(option);

    public T? Get<T>(Argument<T> argument) => _parse.GetValue(argument);

    /// <summary>The database named by <c>--url</c>/<c>--path</c> (resolved once).</summary>
    public DbTarget Target => _target ??= DbTarget.Resolve(
        _parse.GetValue(GlobalOptions.Url),
        _parse.GetValue(GlobalOptions.Path),
        TimeSpan.FromMilliseconds(Math.Max(0, _parse.GetValue(GlobalOptions.SimulateLatency))));

    /// <summary>The database, when it was resolved.</summary>
    public DbTarget? ResolvedTarget => _target;

    public SlateDbAdmin Admin => SlateDbAdmin.For(Target.DbPath, Target.Store);

    /// <summary>Writes <paramref name="value"/> as JSON on standard output.</summary>
    public void WriteJson(object? value) => StdOut.WriteLine(JsonOutput.Serialize(value));

    /// <summary>Standard output as text.</summary>
    public TextWriter StdOut { get; } = Console.Out;

    /// <summary>A note for people on standard error (not in JSON mode's stdout).</summary>
    public void Note(string markup) => Err.MarkupLine(markup);
}
