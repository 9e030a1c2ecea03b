using SlateDB.Format;

namespace SlateDB.Tests.Format;

/// <summary>Row comparisons by content (RowEntry holds memory slices, so record equality compares references).</summary>
internal static class RowAssert
{
    public static void Equal(IEnumerable<RowEntry> actual, IEnumerable<RowEntry> expected, string because = "")
    {
        var a = actual.Select(Describe).ToList();
        var e = expected.Select(Describe).ToList();
        a.Should().Equal(e, because);
    }

    public static void Equal(RowEntry actual, RowEntry expected, string because = "")
        => Describe(actual).Should().Be(Describe(expected), because);

    /// <summary>A full, comparable description: key and value bytes as hex plus every other field.</summary>
    public static string Describe(RowEntry row)
        => $"{Convert.ToHexString(row.Key.Span)}|{row.Kind}|{row.Seq}|{row.CreateTs?.ToString() ?? "-"}|{row.ExpireTs?.ToString() ?? "-"}|{Convert.ToHexString(row.Value.Span)}";
}
