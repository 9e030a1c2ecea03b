namespace SlateDB.Tests.Errors;

public sealed class SlateDbExceptionTests
{
    [Fact]
    public void Closed_exception_carries_its_reason()
    {
        var error = SlateDbException.Closed(CloseReason.Fenced, "fenced by a newer writer");

        error.Kind.Should().Be(SlateDbErrorKind.Closed);
        error.CloseReason.Should().Be(CloseReason.Fenced);
        error.Message.Should().Contain("newer writer");
    }

    [Fact]
    public void Closed_exception_needs_a_reason()
    {
        var act = () => SlateDbException.Closed(CloseReason.None, "no reason");

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(SlateDbErrorKind.Data)]
    [InlineData(SlateDbErrorKind.Invalid)]
    [InlineData(SlateDbErrorKind.Unavailable)]
    public void Other_kinds_have_no_close_reason(SlateDbErrorKind kind)
    {
        new SlateDbException(kind, "x").CloseReason.Should().Be(CloseReason.None);
    }

    [Fact]
    public void Corrupt_names_the_object()
    {
        var inner = new InvalidOperationException("inner");
        var error = SlateDbException.Corrupt("db/wal/00000000000000000001.sst", "checksum mismatch", inner);

        error.Kind.Should().Be(SlateDbErrorKind.Data);
        error.Message.Should().Contain("db/wal/00000000000000000001.sst").And.Contain("checksum mismatch");
        error.InnerException.Should().BeSameAs(inner);
    }
}
