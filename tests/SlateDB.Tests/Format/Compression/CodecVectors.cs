namespace SlateDB.Tests.Format.Compression;

/// <summary>
/// TestData/golden/compression/codec-vectors.txt: inputs and their compressed forms as produced by the Rust
/// crates SlateDB links (snap 1.1.1, lz4_flex 0.11.6, miniz_oxide 0.8.9) and by the zstd tool. See the
/// README beside it.
/// </summary>
internal static class CodecVectors
{
    private static readonly Lazy<List<(string Codec, string Name, byte[] Bytes)>> s_lines = new(Load);

    public static IEnumerable<string> InputNames => s_lines.Value.Where(l => l.Codec == "input").Select(l => l.Name);

    public static byte[] Input(string name) => Get("input", name);

    public static byte[] Get(string codec, string name) => s_lines.Value.Single(l => l.Codec == codec && l.Name == name).Bytes;

    private static List<(string, string, byte[])> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "golden", "compression", "codec-vectors.txt");
        return File.ReadLines(path)
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' '))
            .Select(parts => (parts[0], parts[1], parts[2] == "-" ? Array.Empty<byte>() : Convert.FromHexString(parts[2])))
            .ToList();
    }
}
