using SlateDB.Cli.Infrastructure;

namespace SlateDB.Cli.Commands;

/// <summary>Opens a <see cref="DbReader"/> that never fences the writer and writes nothing (or reads one checkpoint).</summary>
internal static class ReaderFactory
{
    public static async Task<DbReader> OpenAsync(CliContext context, Guid? checkpoint)
    {
        var options = DbReaderOptions.Default with
        {
            Mode = checkpoint is { } id ? DbReaderMode.Checkpoint(id) : DbReaderMode.FollowLatest,
            ManifestPollInterval = TimeSpan.FromMinutes(1),
        };
        var target = context.Target;
        if (checkpoint is { } wanted)
        {
            var known = await context.Admin.ListCheckpointsAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            if (!known.Any(c => c.Id == wanted))
            {
                throw new CliException(ExitCodes.NotFound, $"There is no checkpoint {wanted} in '{target.Url}'.");
            }
        }
        else
        {
            // Fails with "no database" before a reader is built.
            await context.Admin.ReadManifestAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
        }

        return await DbReader.OpenAsync(target.DbPath, target.Store, options, context.CancellationToken).ConfigureAwait(false);
    }
}
