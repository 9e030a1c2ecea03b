using SlateDB.Cli.Infrastructure;

namespace SlateDB.Cli.Commands;

/// <summary>One object of a database, by kind (its first folder: manifest, wal, compacted, compactions, gc, ...).</summary>
internal sealed record DbObject(string Kind, string Path, long Size);

internal static class DbObjects
{
    /// <summary>Every object under the database's path.</summary>
    public static async Task<List<DbObject>> ListAsync(CliContext context)
    {
        var target = context.Target;
        var root = target.DbPath.TrimEnd('/') + "/";
        var objects = new List<DbObject>();
        await foreach (var meta in target.Store.ListAsync(root, context.CancellationToken).ConfigureAwait(false))
        {
            var relative = meta.Path.StartsWith(root, StringComparison.Ordinal) ? meta.Path[root.Length..] : meta.Path;
            var slash = relative.IndexOf('/', StringComparison.Ordinal);
            objects.Add(new DbObject(slash < 0 ? "(root)" : relative[..slash], meta.Path, meta.Size));
        }

        return objects;
    }

    /// <summary>The WAL ids present, from the listing.</summary>
    public static IEnumerable<(ulong Id, DbObject Object)> WalObjects(IEnumerable<DbObject> objects) =>
        objects.Where(o => o.Kind == "wal")
            .Select(o => (Ok: ulong.TryParse(o.Path[(o.Path.LastIndexOf('/') + 1)..].Split('.')[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id), Id: id, Object: o))
            .Where(x => x.Ok)
            .Select(x => (x.Id, x.Object))
            .OrderBy(x => x.Id);
}
