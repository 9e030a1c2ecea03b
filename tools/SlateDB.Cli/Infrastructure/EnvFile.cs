namespace SlateDB.Cli.Infrastructure;

/// <summary>Reads a .env file: <c>KEY=VALUE</c> lines, <c>#</c> comments, optional quotes; a variable already set is kept.</summary>
internal static class EnvFile
{
    public static void Load(string file)
    {
        if (!File.Exists(file))
        {
            throw new CliException(ExitCodes.Usage, $"The env file '{file}' does not exist.");
        }

        var number = 0;
        foreach (var raw in File.ReadLines(file))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException(ExitCodes.Usage, $"{file}:{number}: expected KEY=VALUE.");
            }

            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(key)))
            {
                Environment.SetEnvironmentVariable(key, value);
            }
        }
    }
}
