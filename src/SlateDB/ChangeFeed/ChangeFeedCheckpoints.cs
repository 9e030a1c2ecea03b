using System.Globalization;
using SlateDB.Manifest;

namespace SlateDB.Feed;

/// <summary>
/// Checkpoints held by change-feed consumers: a checkpoint named <c>changefeed:&lt;consumer&gt;@&lt;WAL id&gt;</c> tells the
/// garbage collector to keep every WAL file from that id on (a plain checkpoint keeps only its manifest's replay
/// range). The consumer moves it forward as it acknowledges changes (<see cref="SlateDb.HoldChangeFeedCheckpointAsync"/>);
/// when it expires, the WAL it held is collected as usual. This is this engine's rule: SlateDB's collector treats such
/// a checkpoint as a plain one.
/// </summary>
internal static class ChangeFeedCheckpoints
{
    public const string Prefix = "changefeed:";

    public static string Name(string consumer, ulong fromWalId) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{consumer}@{fromWalId}");

    /// <summary>The consumer and WAL id a checkpoint name holds; false for any other name.</summary>
    public static bool TryParse(string? name, out string consumer, out ulong fromWalId)
    {
        consumer = string.Empty;
        fromWalId = 0;
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var at = name.LastIndexOf('@');
        if (at <= Prefix.Length || !ulong.TryParse(name.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out fromWalId))
        {
            return false;
        }

        consumer = name[Prefix.Length..at];
        return true;
    }

    /// <summary>The lowest WAL id an unexpired consumer checkpoint in <paramref name="manifests"/> holds; <see cref="ulong.MaxValue"/> when none.</summary>
    public static ulong Floor(IEnumerable<DbManifest> manifests, DateTimeOffset now)
    {
        var floor = ulong.MaxValue;
        foreach (var checkpoint in manifests.SelectMany(manifest => manifest.Core.Checkpoints))
        {
            if ((checkpoint.ExpireTime is null || checkpoint.ExpireTime > now) && TryParse(checkpoint.Name, out _, out var from))
            {
                floor = Math.Min(floor, from);
            }
        }

        return floor;
    }
}
