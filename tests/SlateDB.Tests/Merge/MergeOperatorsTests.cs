using System.Buffers.Binary;
using System.Text;

namespace SlateDB.Tests.Merge;

public sealed class MergeOperatorsTests
{
    private static byte[] L(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static IReadOnlyList<ReadOnlyMemory<byte>> Operands(params byte[][] operands) => operands.Select(o => new ReadOnlyMemory<byte>(o)).ToList();

    [Fact]
    public void Int64Add_adds_little_endian_64_bit_integers_and_an_absent_value_counts_as_zero()
    {
        var op = MergeOperators.Int64Add;
        op.Merge(B("k"), false, [], L(5)).Should().Equal(L(5));
        op.Merge(B("k"), true, L(40), L(2)).Should().Equal(L(42));
        op.Merge(B("k"), true, L(long.MaxValue), L(1)).Should().Equal(L(long.MinValue), "sums wrap around");
        op.MergeBatch(B("k"), true, L(1), Operands(L(2), L(3), L(-10))).Should().Equal(L(-4));
        op.MergeBatch(B("k"), false, [], Operands(L(7))).Should().Equal(L(7));
    }

    [Fact]
    public void Int64Add_refuses_a_value_that_is_not_8_bytes()
    {
        var act = () => MergeOperators.Int64Add.Merge(B("k"), true, [1, 2, 3], L(1));
        act.Should().Throw<ArgumentException>().WithMessage("*3 bytes*");
    }

    [Fact]
    public void Append_puts_the_separator_between_the_value_and_each_operand()
    {
        var op = MergeOperators.Append(",");
        op.Merge(B("k"), false, [], B("a")).Should().Equal(B("a"));
        op.Merge(B("k"), true, B("a"), B("b")).Should().Equal(B("a,b"));
        op.Merge(B("k"), true, [], B("b")).Should().Equal(B(",b"), "an empty existing value is still a value");
        op.MergeBatch(B("k"), false, [], Operands(B("a"), B("b"), B("c"))).Should().Equal(B("a,b,c"));
        op.MergeBatch(B("k"), true, B("x"), Operands(B("a"), B("b"))).Should().Equal(B("x,a,b"));
        MergeOperators.Append(ReadOnlySpan<byte>.Empty).MergeBatch(B("k"), true, B("x"), Operands(B("a"), B("b"))).Should().Equal(B("xab"));
    }

    [Fact]
    public void Max_keeps_the_largest_value_in_unsigned_byte_order()
    {
        var op = MergeOperators.Max;
        op.Merge(B("k"), false, [], B("b")).Should().Equal(B("b"));
        op.Merge(B("k"), true, B("b"), B("a")).Should().Equal(B("b"));
        op.Merge(B("k"), true, B("b"), B("ba")).Should().Equal(B("ba"), "a prefix sorts first");
        op.Merge(B("k"), true, [0x7F], [0x80]).Should().Equal([0x80], "bytes compare unsigned");
        op.MergeBatch(B("k"), true, B("c"), Operands(B("a"), B("d"), B("b"))).Should().Equal(B("d"));
    }

    [Fact]
    public void The_default_batch_folds_with_merge_in_order()
    {
        IMergeOperator op = new ConcatOperator();
        op.MergeBatch(B("k"), true, B("x"), Operands(B("1"), B("2"))).Should().Equal(B("x12"));
        op.MergeBatch(B("k"), false, [], Operands(B("1"), B("2"))).Should().Equal(B("12"));
        op.MergeBatch(B("k"), true, B("x"), Operands()).Should().Equal(B("x"));
        var act = () => op.MergeBatch(B("k"), false, [], Operands());
        act.Should().Throw<ArgumentException>();
    }

    /// <summary>An operator with only <see cref="IMergeOperator.Merge"/>: the batch is the interface's default.</summary>
    internal sealed class ConcatOperator : IMergeOperator
    {
        public byte[] Merge(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, ReadOnlySpan<byte> operand) =>
            [.. existing, .. operand];
    }
}
