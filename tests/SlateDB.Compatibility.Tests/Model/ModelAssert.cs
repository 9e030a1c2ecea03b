using System.Text;
using SlateDB.Compatibility.Tests.Engines;

namespace SlateDB.Compatibility.Tests.Model;

/// <summary>Checks an engine's view of the database against the model: every key by point read, and full scans.</summary>
internal static class ModelAssert
{
    private const int MaxReported = 25;

    /// <summary>
    /// Every key the model knows is read with its metadata (value, sequence, create and expire timestamps) and the full
    /// scan must list exactly the live rows in key order. All differences are reported together.
    /// </summary>
    public static async Task MatchesAsync(ICompatEngine reader, DbModel model, string context)
    {
        var problems = new List<string>();
        var checkedKeys = 0;
        foreach (var (key, expected) in model.AllKeys)
        {
            checkedKeys++;
            var actual = await reader.GetAsync(key);
            var problem = Compare(expected, actual);
            if (problem is not null)
            {
                problems.Add($"get {Hex.Of(key)}: {problem}");
            }
        }

        var scan = await reader.ScanAsync();
        ComparePairs(problems, "full scan", [.. model.Live.Select(r => new KeyValuePair<byte[], byte[]>(r.Key, r.Value.Value))], scan);

        if (problems.Count > 0)
        {
            var message = new StringBuilder()
                .AppendLine($"{reader.Kind} reading data written under the model differs ({context}; {checkedKeys} keys, {model.LiveCount} live, {model.WriteCount} writes, last seq {model.LastSeq}):");
            foreach (var line in problems.Take(MaxReported))
            {
                message.AppendLine("  " + line);
            }

            if (problems.Count > MaxReported)
            {
                message.AppendLine($"  … and {problems.Count - MaxReported} more");
            }

            throw new Xunit.Sdk.XunitException(message.ToString());
        }
    }

    /// <summary>A bounded scan [start, end) must equal the model's rows in that range.</summary>
    public static async Task ScanMatchesAsync(ICompatEngine reader, DbModel model, byte[]? start, byte[]? end, string context)
    {
        var expected = model.Live
            .Where(r => (start is null || ByteOrder.Instance.Compare(r.Key, start) >= 0) && (end is null || ByteOrder.Instance.Compare(r.Key, end) < 0))
            .Select(r => new KeyValuePair<byte[], byte[]>(r.Key, r.Value.Value))
            .ToList();
        var problems = new List<string>();
        ComparePairs(problems, $"scan [{Hex.Of(start)}, {Hex.Of(end)})", expected, await reader.ScanAsync(start, end));
        if (problems.Count > 0)
        {
            throw new Xunit.Sdk.XunitException($"{reader.Kind} {context}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", problems.Take(MaxReported))}");
        }
    }

    private static string? Compare(ModelRow? expected, ReadRow? actual)
    {
        if (expected is null)
        {
            return actual is null ? null : $"expected absent (deleted), found value {Hex.Of(actual.Value)} seq {actual.Seq}";
        }

        if (actual is null)
        {
            return $"expected value {Hex.Of(expected.Value)} (seq {expected.Seq}), found nothing";
        }

        var differences = new List<string>();
        if (!actual.Value.AsSpan().SequenceEqual(expected.Value))
        {
            differences.Add($"value {Hex.Of(actual.Value)} != expected {Hex.Of(expected.Value)}");
        }

        if (actual.Seq != expected.Seq)
        {
            differences.Add($"seq {actual.Seq} != expected {expected.Seq}");
        }

        if (actual.CreateTs != expected.CreateTs)
        {
            differences.Add($"create_ts {actual.CreateTs} != expected {expected.CreateTs}");
        }

        if (actual.ExpireTs != expected.ExpireTs)
        {
            differences.Add($"expire_ts {actual.ExpireTs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} != expected {expected.ExpireTs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
        }

        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    private static void ComparePairs(List<string> problems, string what, IReadOnlyList<KeyValuePair<byte[], byte[]>> expected, IReadOnlyList<KeyValuePair<byte[], byte[]>> actual)
    {
        if (actual.Count != expected.Count)
        {
            problems.Add($"{what}: {actual.Count} rows, expected {expected.Count}");
        }

        for (var i = 0; i < Math.Max(actual.Count, expected.Count); i++)
        {
            var a = i < actual.Count ? actual[i] : default;
            var e = i < expected.Count ? expected[i] : default;
            if (!a.Key.AsSpan().SequenceEqual(e.Key) || !a.Value.AsSpan().SequenceEqual(e.Value))
            {
                problems.Add($"{what}: row {i} is {Hex.Of(a.Key)}={Hex.Of(a.Value)}, expected {Hex.Of(e.Key)}={Hex.Of(e.Value)}");
                return;
            }
        }
    }
}
