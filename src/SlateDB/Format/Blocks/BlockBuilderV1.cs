using SlateDB.Format.Rows;

namespace SlateDB.Format.Blocks;

/// <summary>Builds V1 blocks: an offset per entry, keys prefix-compressed against the block's first key.</summary>
internal sealed class BlockBuilderV1 : BlockBuilder
{
    private byte[] _firstKey = [];

    public BlockBuilderV1(int blockSize)
        : base(blockSize)
    {
    }

    public override BlockFormatVersion Version => BlockFormatVersion.V1;

    private protected override bool TryMeasure(in RowEntry row, out int sharedLength, out int encodedSize)
    {
        sharedLength = row.Key.Span.CommonPrefixLength(_firstKey);
        encodedSize = RowCodecV1.EncodedSize(row, sharedLength);

        // SlateDB's V1 rule counts the row but not the u16 offset it adds, so a block may end up to two bytes
        // over the target; matched on purpose so blocks split where SlateDB splits them.
        return CanAddOffset && EncodedLength + encodedSize <= BlockSize;
    }

    private protected override void CheckRow(in RowEntry row)
    {
        if (row.Key.Length > RowCodecV1.MaxKeyLength)
        {
            throw new ArgumentException($"A V1 block key holds at most {RowCodecV1.MaxKeyLength} bytes; this one has {row.Key.Length}.", nameof(row));
        }
    }

    private protected override void Append(in RowEntry row, int sharedLength, int encodedSize)
    {
        AddOffsetHere();
        AdvanceData(RowCodecV1.Encode(GetDataSpan(encodedSize), row, sharedLength));
        if (EntryCount == 0)
        {
            _firstKey = row.Key.ToArray();
        }
    }

    private protected override void ResetCore() => _firstKey = [];
}
