using System.Text;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Read;

/// <summary>A <see cref="KeyValue"/> reads as text: its UTF-8 views, and a bounded <c>ToString</c> with text or hex.</summary>
public sealed class KeyValueTextTests
{
    private static KeyValue Row(byte[] key, byte[] value, DateTimeOffset? expires = null) =>
        new(key, value, 7, DateTimeOffset.UnixEpoch, expires);

    [Fact]
    public void Text_keys_and_values_are_shown_quoted_with_the_sequence()
    {
        var row = Row(B("user:1"), B("Zoë"));

        row.GetKeyString().Should().Be("user:1");
        row.GetValueString().Should().Be("Zoë");
        row.ToString().Should().Be("KeyValue { Key = \"user:1\", Value = \"Zoë\", Sequence = 7 }");
        row.ToString().Should().NotContain("ReadOnlyMemory");
    }

    [Fact]
    public void Bytes_that_are_not_printable_UTF8_are_shown_in_hex()
    {
        Row([0xC3, 0x28], [0x00, 0x01, 0x02]).ToString().Should().Be("KeyValue { Key = 0xC328, Value = 0x000102, Sequence = 7 }");
        Row(B("k"), B("line\nbreak")).ToString().Should().Contain("Value = 0x6C696E650A627265616B");
        Row(B("k"), []).ToString().Should().Contain("Value = \"\"");
    }

    [Fact]
    public void Long_keys_and_values_are_cut_short_with_their_length()
    {
        var text = Row(Encoding.UTF8.GetBytes(new string('k', 1000)), new byte[100_000]).ToString();

        text.Should().Contain("Key = \"" + new string('k', 64) + "\"… (1000 bytes)");
        text.Should().Contain("Value = 0x" + new string('0', 64) + "… (100000 bytes)");
        text.Length.Should().BeLessThan(250);

        // A cut never splits a character: 'é' is two bytes, so 64 bytes end on a boundary only before the 33rd.
        var accented = Row(Encoding.UTF8.GetBytes("a" + new string('é', 40)), B("v")).ToString();
        accented.Should().Contain("Key = \"a" + new string('é', 31) + "\"… (81 bytes)");
    }

    [Fact]
    public void The_expiry_is_shown_when_there_is_one()
    {
        var expires = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Row(B("k"), B("v"), expires).ToString().Should().EndWith(", Sequence = 7, ExpiresAt = 2030-01-02T03:04:05.0000000+00:00 }");
    }

    [Fact]
    public async Task Rows_a_scan_returns_print_their_text()
    {
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), TestOptions());
        await db.PutAsync("greeting", "hello");

        var row = (await ToListAsync(db.ScanAsync(KeyRange.All))).Single();

        row.ToString().Should().StartWith("KeyValue { Key = \"greeting\", Value = \"hello\", Sequence = ");
    }
}
