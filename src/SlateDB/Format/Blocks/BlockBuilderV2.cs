using SlateDB.Format.Rows;

namespace SlateDB.Format.Blocks;

/// <summary>
/// Builds V2 blocks: every <see cref="RestartInterval"/>-th row starts a restart point (full key, offset
/// recorded); the others are prefix-compressed against the previous key.
/// </summary>
internal sealed class BlockBuilderV2 : BlockBuilder
{
    /// <summary>SlateDB's restart interval.</summary>
    public const int DefaultRestartInterval = 16;

    private byte[] _lastKey = new byte[64];
    private int _lastKeyLength;

    public BlockBuilderV2(int blockSize, int restartInterval = DefaultRestartInterval)
        : base(blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(restartInterval, 1);
        RestartInterval = restartInterval;
    }

    public override BlockFormatVersion Version => BlockFormatVersion.V2;

    /// <summary>Rows per restart region.</summary>
    public int RestartInterval { get; }

    private bool AtRestartPoint => EntryCount % RestartInterval == 0;

    private protected override bool TryMeasure(in RowEntry row, out int sharedLength, out int encodedSize)
    {
        var restart = AtRestartPoint;
        sharedLength = restart ? 0 : row.Key.Span.CommonPrefixLength(_lastKey.AsSpan(0, _lastKeyLength));
        encodedSize = RowCodecV2.EncodedSize(row, sharedLength);
        return restart
            ? CanAddOffset && EncodedLength + encodedSize + 2 <= BlockSize
            : EncodedLength + encodedSize <= BlockSize;
    }

    private protected override void Append(in RowEntry row, int sharedLength, int encodedSize)
    {
        if (AtRestartPoint)
        {
            AddOffsetHere();
        }

        AdvanceData(RowCodecV2.Encode(GetDataSpan(encodedSize), row, sharedLength));
        var key = row.Key.Span;
        if (_lastKey.Length < key.Length)
        {
            _lastKey = new byte[Math.Max(key.Length, _lastKey.Length * 2)];
        }

        key.CopyTo(_lastKey);
        _lastKeyLength = key.Length;
    }

    private protected override void ResetCore() => _lastKeyLength = 0;
}
