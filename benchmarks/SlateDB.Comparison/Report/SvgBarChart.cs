using System.Globalization;
using System.Security;
using System.Text;

namespace SlateDB.Comparison.Report;

/// <summary>Small self-contained SVG bar charts (horizontal bars, one row per item).</summary>
internal static class SvgBarChart
{
    private const int Width = 760;
    private const int LabelWidth = 250;
    private const int BarArea = 380;
    private const int RowHeight = 30;
    private const int Top = 46;

    /// <summary>One bar: its label, value, the text printed beside it, and its colour.</summary>
    public sealed record Bar(string Label, double Value, string Caption, string Color);

    /// <summary>Bars from zero on a linear scale.</summary>
    public static string Linear(string title, string subtitle, IReadOnlyList<Bar> bars)
    {
        var max = bars.Count == 0 ? 1 : Math.Max(bars.Max(b => b.Value), double.Epsilon);
        var svg = Begin(title, subtitle, bars.Count);
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var y = Top + (i * RowHeight);
            var length = Math.Max(1, bar.Value / max * BarArea);
            Row(svg, bar, y, LabelWidth, length, LabelWidth + length + 6);
        }

        return End(svg);
    }

    /// <summary>Ratios on a log scale around 1× (bars to the right are above 1, to the left below).</summary>
    public static string Ratios(string title, string subtitle, IReadOnlyList<Bar> bars)
    {
        var logs = bars.Select(b => Math.Log10(Math.Max(b.Value, 1e-6))).ToList();
        var low = Math.Min(0, logs.DefaultIfEmpty(0).Min()) - 0.1;
        var high = Math.Max(0, logs.DefaultIfEmpty(0).Max()) + 0.1;
        double X(double log) => LabelWidth + ((log - low) / (high - low) * BarArea);
        var one = X(0);
        var svg = Begin(title, subtitle, bars.Count, extraBottom: 14);
        var bottom = Top + (bars.Count * RowHeight);
        svg.Append(Inv($"<line x1=\"{one:F1}\" y1=\"{Top}\" x2=\"{one:F1}\" y2=\"{bottom + 2}\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>\n"));
        svg.Append(Inv($"<text x=\"{one:F1}\" y=\"{bottom + 16}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">1× (equal)</text>\n"));
        for (var i = 0; i < bars.Count; i++)
        {
            var x = X(logs[i]);
            var start = Math.Min(one, x);
            var length = Math.Max(1, Math.Abs(x - one));
            Row(svg, bars[i], Top + (i * RowHeight), start, length, Math.Max(one, x) + 6);
        }

        return End(svg);
    }

    private static StringBuilder Begin(string title, string subtitle, int rows, int extraBottom = 0)
    {
        var height = Top + (rows * RowHeight) + 16 + extraBottom;
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"Segoe UI, Helvetica, Arial, sans-serif\">\n"));
        svg.Append(Inv($"<rect width=\"{Width}\" height=\"{height}\" fill=\"#ffffff\"/>\n"));
        svg.Append(Inv($"<text x=\"12\" y=\"20\" font-size=\"15\" font-weight=\"bold\" fill=\"#111\">{Escape(title)}</text>\n"));
        svg.Append(Inv($"<text x=\"12\" y=\"36\" font-size=\"11\" fill=\"#555\">{Escape(subtitle)}</text>\n"));
        return svg;
    }

    private static void Row(StringBuilder svg, Bar bar, int y, double x, double length, double captionX)
    {
        svg.Append(Inv($"<text x=\"{LabelWidth - 8}\" y=\"{y + 19}\" font-size=\"12\" text-anchor=\"end\" fill=\"#111\">{Escape(bar.Label)}</text>\n"));
        svg.Append(Inv($"<rect x=\"{x:F1}\" y=\"{y + 5}\" width=\"{length:F1}\" height=\"{RowHeight - 10}\" fill=\"{bar.Color}\" rx=\"2\"/>\n"));
        svg.Append(Inv($"<text x=\"{captionX:F1}\" y=\"{y + 19}\" font-size=\"12\" fill=\"#111\">{Escape(bar.Caption)}</text>\n"));
    }

    private static string End(StringBuilder svg) => svg.Append("</svg>\n").ToString();

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
