namespace SlateDB.Cli.Tests;

/// <summary>
/// The display as a person sees it: the tool runs in a tmux terminal of 120x40 and the screen is captured. The
/// captures are also written to the test output folder (terminal-*.txt) and shown in docs/cli.md.
/// </summary>
public sealed class TerminalTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new(4, 1500);

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private string Command(string args) => $"dotnet {Quote(Tool.ToolPath)} {args}";

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [Fact]
    public async Task Stats_draws_tables_in_a_120_column_terminal()
    {
        using var tmux = new Tmux();
        tmux.Start(Command($"stats --url {Quote(_db.Url)}"));
        var screen = await tmux.WaitForAsync(s => s.Contains("[exit ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Save("terminal-stats.txt", screen);
        screen.Should().Contain("[exit 0]");
        screen.Should().Contain("objects").And.Contain("LSM tree").And.Contain("compacted").And.Contain("manifest");
        screen.Should().MatchRegex(@"│ L0\s+│\s+5 │", "the L0 row of the tree table: 4 batches and the tail flushed on close");
        screen.Should().Contain("┌").And.Contain("┘", "tables are drawn with box characters");
        screen.Split('\n').Should().OnlyContain(line => line.Length <= 120);
    }

    [Fact]
    public async Task Scan_count_draws_a_progress_bar_with_a_count_and_a_rate_while_it_runs()
    {
        using var tmux = new Tmux();
        tmux.Start(Command($"scan --count --url {Quote(_db.Url)} --simulate-latency 250"));
        var running = await tmux.WaitForAsync(s => s.Contains("scanning", StringComparison.Ordinal) && s.Contains("entries", StringComparison.Ordinal) && !s.Contains("[exit ", StringComparison.Ordinal) && HasCount(s), TimeSpan.FromSeconds(60));
        Save("terminal-scan-progress.txt", running);
        running.Should().NotContain("[exit ", "the capture is taken mid-run");
        running.Should().Contain("scanning").And.Contain("entries").And.MatchRegex(@"[0-9,]+/s", "a rate is shown");
        running.Should().MatchRegex("[━─]{10,}", "a progress bar is drawn");
        var shown = long.Parse(System.Text.RegularExpressions.Regex.Match(running, @"([0-9,]+) entries").Groups[1].Value.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        shown.Should().BeInRange(2, 6004, "a count part way through the 6,005 entries");

        var done = await tmux.WaitForAsync(s => s.Contains("[exit ", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
        Save("terminal-scan-done.txt", done);
        done.Should().Contain("[exit 0]").And.Contain($"{6005} entries");
    }

    private static bool HasCount(string screen) => System.Text.RegularExpressions.Regex.IsMatch(screen, @"[0-9],?[0-9]{3} entries");

    private static void Save(string name, string screen) => File.WriteAllText(Path.Combine(AppContext.BaseDirectory, name), screen);
}
