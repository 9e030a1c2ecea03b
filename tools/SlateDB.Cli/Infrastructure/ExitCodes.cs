namespace SlateDB.Cli.Infrastructure;

/// <summary>The exit codes scripts can branch on (listed in docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected failure (a bug, or an error of a kind not listed here).</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: an unknown option, a bad value, a bad URL, a missing <c>--yes</c>.</summary>
    public const int Usage = 2;

    /// <summary>Not found: no database at the URL, no such checkpoint, manifest, SST or key.</summary>
    public const int NotFound = 3;

    /// <summary>Corrupt data: a checksum mismatch or undecodable object (<c>verify</c> found damage).</summary>
    public const int Corrupt = 4;

    /// <summary>The object store could not be reached, or refused the credentials.</summary>
    public const int Unavailable = 5;

    /// <summary>Another process fenced this one (a newer writer or compactor).</summary>
    public const int Fenced = 6;

    /// <summary>Interrupted (Ctrl-C).</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure the CLI reports as one line and an exit code.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
