using System.Globalization;
using System.Text;

namespace SlateDB.Tests.Format.Golden;

/// <summary>
/// A value parsed from Rust's <c>{:#?}</c> (pretty Debug) output, as stored in insta <c>.snap</c> files:
/// tuples, lists, structs, tuple-like variants (<c>Some(1)</c>), unit variants (<c>None</c>), integers,
/// strings and byte strings.
/// </summary>
internal abstract record RustDebugValue
{
    public static RustDebugValue Parse(string text)
    {
        var parser = new Parser(text);
        var value = parser.ParseValue();
        parser.SkipWhitespace();
        if (!parser.AtEnd)
        {
            throw new FormatException($"Unexpected text after the value at {parser.Position}.");
        }

        return value;
    }

    public IReadOnlyList<RustDebugValue> Items => this switch
    {
        RustTuple t => t.Elements,
        RustList l => l.Elements,
        RustCall c => c.Arguments,
        _ => throw new InvalidOperationException($"{GetType().Name} has no items."),
    };

    public RustDebugValue Field(string name) => this is RustStruct s
        ? s.Fields[name]
        : throw new InvalidOperationException($"{GetType().Name} has no fields.");

    public ulong AsUInt64() => this is RustInteger i ? ulong.Parse(i.Digits, CultureInfo.InvariantCulture) : throw new InvalidOperationException("Not an integer.");

    public long AsInt64() => this is RustInteger i ? long.Parse(i.Digits, CultureInfo.InvariantCulture) : throw new InvalidOperationException("Not an integer.");

    public byte[] AsBytes() => this is RustBytes b ? b.Value : throw new InvalidOperationException("Not a byte string.");

    public string AsString() => this is RustString s ? s.Value : throw new InvalidOperationException("Not a string.");

    /// <summary><c>None</c> as null, <c>Some(n)</c> as n.</summary>
    public long? AsOptionalInt64() => this switch
    {
        RustIdent { Name: "None" } => null,
        RustCall { Name: "Some" } c => c.Arguments[0].AsInt64(),
        _ => throw new InvalidOperationException("Not an Option of an integer."),
    };

    private sealed class Parser(string text)
    {
        public int Position { get; private set; }

        public bool AtEnd => Position >= text.Length;

        public void SkipWhitespace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[Position]))
            {
                Position++;
            }
        }

        public RustDebugValue ParseValue()
        {
            SkipWhitespace();
            var c = text[Position];
            if (c == '(')
            {
                return new RustTuple(ParseSequence('(', ')'));
            }

            if (c == '[')
            {
                return new RustList(ParseSequence('[', ']'));
            }

            if (c == '"')
            {
                return new RustString(ParseQuoted(bytes: false).Text);
            }

            if (c == 'b' && Position + 1 < text.Length && text[Position + 1] == '"')
            {
                Position++;
                return new RustBytes(ParseQuoted(bytes: true).Bytes);
            }

            if (char.IsDigit(c) || c == '-')
            {
                var start = Position++;
                while (!AtEnd && char.IsDigit(text[Position]))
                {
                    Position++;
                }

                return new RustInteger(text[start..Position]);
            }

            var name = ParseIdentifier();
            SkipWhitespace();
            if (!AtEnd && text[Position] == '(')
            {
                return new RustCall(name, ParseSequence('(', ')'));
            }

            if (!AtEnd && text[Position] == '{')
            {
                Position++;
                var fields = new Dictionary<string, RustDebugValue>();
                while (true)
                {
                    SkipWhitespace();
                    if (text[Position] == '}')
                    {
                        Position++;
                        return new RustStruct(name, fields);
                    }

                    var field = ParseIdentifier();
                    SkipWhitespace();
                    Expect(':');
                    fields[field] = ParseValue();
                    SkipWhitespace();
                    if (text[Position] == ',')
                    {
                        Position++;
                    }
                }
            }

            return new RustIdent(name);
        }

        private List<RustDebugValue> ParseSequence(char open, char close)
        {
            Expect(open);
            var items = new List<RustDebugValue>();
            while (true)
            {
                SkipWhitespace();
                if (text[Position] == close)
                {
                    Position++;
                    return items;
                }

                items.Add(ParseValue());
                SkipWhitespace();
                if (text[Position] == ',')
                {
                    Position++;
                }
            }
        }

        private string ParseIdentifier()
        {
            var start = Position;
            while (!AtEnd && (char.IsLetterOrDigit(text[Position]) || text[Position] == '_'))
            {
                Position++;
            }

            if (start == Position)
            {
                throw new FormatException($"Expected an identifier at {start}.");
            }

            return text[start..Position];
        }

        private (string Text, byte[] Bytes) ParseQuoted(bool bytes)
        {
            Expect('"');
            var chars = new StringBuilder();
            var raw = new List<byte>();
            while (text[Position] != '"')
            {
                var c = text[Position++];
                if (c != '\\')
                {
                    if (bytes)
                    {
                        raw.Add(checked((byte)c));
                    }
                    else
                    {
                        chars.Append(c);
                    }

                    continue;
                }

                var e = text[Position++];
                int code;
                switch (e)
                {
                    case '0': code = 0; break;
                    case 'n': code = '\n'; break;
                    case 'r': code = '\r'; break;
                    case 't': code = '\t'; break;
                    case '\\': code = '\\'; break;
                    case '"': code = '"'; break;
                    case '\'': code = '\''; break;
                    case 'x':
                        code = int.Parse(text.AsSpan(Position, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        Position += 2;
                        break;
                    case 'u':
                        Expect('{');
                        var end = text.IndexOf('}', Position);
                        code = int.Parse(text.AsSpan(Position, end - Position), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        Position = end + 1;
                        break;
                    default:
                        throw new FormatException($"Unknown escape \\{e} at {Position}.");
                }

                if (bytes)
                {
                    raw.Add(checked((byte)code));
                }
                else
                {
                    chars.Append(char.ConvertFromUtf32(code));
                }
            }

            Position++;
            return (chars.ToString(), raw.ToArray());
        }

        private void Expect(char c)
        {
            if (text[Position] != c)
            {
                throw new FormatException($"Expected '{c}' at {Position}, found '{text[Position]}'.");
            }

            Position++;
        }
    }
}

internal sealed record RustTuple(List<RustDebugValue> Elements) : RustDebugValue;

internal sealed record RustList(List<RustDebugValue> Elements) : RustDebugValue;

internal sealed record RustStruct(string Name, Dictionary<string, RustDebugValue> Fields) : RustDebugValue;

internal sealed record RustCall(string Name, List<RustDebugValue> Arguments) : RustDebugValue;

internal sealed record RustIdent(string Name) : RustDebugValue;

internal sealed record RustInteger(string Digits) : RustDebugValue;

internal sealed record RustString(string Value) : RustDebugValue;

internal sealed record RustBytes(byte[] Value) : RustDebugValue;

/// <summary>An insta snapshot file: a YAML-ish header between <c>---</c> lines, then the Debug output.</summary>
internal static class SnapFile
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "golden", "slatedb-format");

    public static RustDebugValue Load(string fileName)
    {
        var text = File.ReadAllText(Path.Combine(Folder, fileName)).Replace("\r\n", "\n", StringComparison.Ordinal);
        var marker = text.IndexOf("\n---\n", StringComparison.Ordinal);
        if (!text.StartsWith("---\n", StringComparison.Ordinal) || marker < 0)
        {
            throw new FormatException($"{fileName} is not an insta snapshot.");
        }

        return RustDebugValue.Parse(text[(marker + 5)..]);
    }
}
