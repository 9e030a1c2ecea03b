using System.Text.Json;

namespace SlateDB.Cli.Tests.Infrastructure;

/// <summary>What one run of the tool gave: exit code, stdout, stderr.</summary>
internal sealed record CliResult(string[] Args, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout parsed as one JSON document.</summary>
    public JsonElement Json()
    {
        try
        {
            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"stdout of {this} is not JSON: {exception.Message}", exception);
        }
    }

    /// <summary>Stdout parsed as JSON lines.</summary>
    public IReadOnlyList<JsonElement> JsonLines() =>
        [.. Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        })];

    /// <summary>Asserts success and returns this.</summary>
    public CliResult ShouldSucceed()
    {
        ExitCode.Should().Be(0, $"{this}");
        return this;
    }

    /// <summary>Asserts a failure with <paramref name="code"/>, told in one line on stderr, with no stack trace.</summary>
    public CliResult ShouldFailWith(int code)
    {
        ExitCode.Should().Be(code, $"{this}");
        var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(1, $"a failure is told in one line: {this}");
        lines[0].Should().StartWith("slatedb: ");
        Stderr.Should().NotContain("   at ", "no stack trace without --verbose");
        return this;
    }

    public override string ToString() => $"`slatedb {string.Join(' ', Args)}` exited {ExitCode}\n--- stdout:\n{Stdout}\n--- stderr:\n{Stderr}";
}
