using System.Buffers.Binary;

namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// Builds the two FlatBuffers an SST carries one table per data block of, its index and its statistics (about 16,000
/// tables each in a 64 MiB SST), laying out exactly the bytes Google.FlatBuffers' builder lays out (and SlateDB's Rust
/// builder: an SST we write stays byte for byte the one SlateDB writes). It exists for speed in a fresh process: that
/// package ships no ReadyToRun code, so its builder ran unoptimized through the first flushes and compactions of a
/// process: for a 16,000-block SST, index and statistics took 46 + 20 ms the first time and about 31 + 12 ms the next
/// ones, against 3–5 + 1–3 ms once the runtime had re-compiled it. This class is precompiled with the rest of SlateDB
/// (9 + 5 ms the first time). Manifests and the other metadata keep using <see cref="MetadataWriter"/>.
/// </summary>
/// <remarks>
/// The buffer is filled from its end towards its start, children before the tables that refer to them, as every
/// FlatBuffers builder does. Offsets (<see cref="Offset"/>) count bytes from the buffer's end. Each value is preceded
/// by zero padding that aligns it to its size (relative to the finished buffer's start); a table's fields equal to
/// their default (zero) are left out; a finished table's vtable is dropped in favour of an identical one written
/// earlier, the first found in the order they were written.
/// </remarks>
internal sealed class PerBlockMetadataBuilder
{
    private byte[] _buffer;
    private int _space;
    private int _minAlign = 1;
    private readonly int[] _fields = new int[8];
    private int _fieldCount = -1;
    private int _tableStart;
    private readonly List<int> _vtables = new(4);

    /// <summary>A builder whose buffer starts at <paramref name="capacity"/> bytes (it doubles as needed).</summary>
    public PerBlockMetadataBuilder(int capacity)
    {
        _buffer = new byte[Math.Max(64, capacity)];
        _space = _buffer.Length;
    }

    /// <summary>The bytes written so far: the offset of the last thing written, counted from the buffer's end.</summary>
    public int Offset => _buffer.Length - _space;

    /// <summary>Writes a byte vector; returns its offset.</summary>
    public int Bytes(ReadOnlySpan<byte> bytes)
    {
        NotInTable();
        Align(4, bytes.Length);
        _space -= bytes.Length;
        bytes.CopyTo(_buffer.AsSpan(_space));
        PutInt32(bytes.Length);
        return Offset;
    }

    /// <summary>Writes a vector of offsets to tables (in the order given); returns its offset.</summary>
    public int OffsetVector(ReadOnlySpan<int> offsets)
    {
        NotInTable();
        Align(4, 4 * offsets.Length);
        for (var i = offsets.Length - 1; i >= 0; i--)
        {
            PutOffset(offsets[i]);
        }

        PutInt32(offsets.Length);
        return Offset;
    }

    /// <summary>Starts a table of <paramref name="fieldCount"/> fields (at most 8).</summary>
    public void StartTable(int fieldCount)
    {
        NotInTable();
        ArgumentOutOfRangeException.ThrowIfNegative(fieldCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fieldCount, _fields.Length);
        Array.Clear(_fields);
        _fieldCount = fieldCount;
        _tableStart = Offset;
    }

    /// <summary>Adds field <paramref name="field"/>, a ulong, unless it is 0 (the default).</summary>
    public void AddUInt64(int field, ulong value)
    {
        if (value != 0)
        {
            Align(8, 0);
            _space -= 8;
            BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_space), value);
            SetField(field);
        }
    }

    /// <summary>Adds field <paramref name="field"/>, a ushort, unless it is 0 (the default).</summary>
    public void AddUInt16(int field, ushort value)
    {
        if (value != 0)
        {
            Align(2, 0);
            PutUInt16(value);
            SetField(field);
        }
    }

    /// <summary>Adds field <paramref name="field"/>, an offset to a vector or table written before, unless it is 0 (none).</summary>
    public void AddOffset(int field, int target)
    {
        if (target != 0)
        {
            PutOffset(target);
            SetField(field);
        }
    }

    /// <summary>Ends the table: writes its vtable, or points it at an identical one; returns the table's offset.</summary>
    public int EndTable()
    {
        if (_fieldCount < 0)
        {
            throw new InvalidOperationException("No table was started.");
        }

        Align(4, 0);
        PutInt32(0);
        var table = Offset;
        var present = _fieldCount;
        while (present > 0 && _fields[present - 1] == 0)
        {
            present--;
        }

        for (var i = present - 1; i >= 0; i--)
        {
            Align(2, 0);
            PutUInt16((ushort)(_fields[i] == 0 ? 0 : table - _fields[i]));
        }

        var vtableSize = 2 * (present + 2);
        Align(2, 0);
        PutUInt16(checked((ushort)(table - _tableStart)));
        Align(2, 0);
        PutUInt16((ushort)vtableSize);
        _fieldCount = -1;

        if (FindEarlierVTable(_buffer.AsSpan(_space, vtableSize)) is { } earlier)
        {
            _space = _buffer.Length - table;
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_space), earlier - table);
            return table;
        }

        _vtables.Add(Offset);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_buffer.Length - table), Offset - table);
        return table;
    }

    /// <summary>The offset of the first vtable written before that equals <paramref name="vtable"/>; null when none does.</summary>
    private int? FindEarlierVTable(ReadOnlySpan<byte> vtable)
    {
        foreach (var earlier in _vtables)
        {
            var candidate = _buffer.AsSpan(_buffer.Length - earlier);
            if (candidate.Length >= vtable.Length && candidate[..vtable.Length].SequenceEqual(vtable))
            {
                return earlier;
            }
        }

        return null;
    }

    /// <summary>Finishes the buffer with <paramref name="root"/> as its root table and returns its bytes.</summary>
    public byte[] Finish(int root)
    {
        NotInTable();
        Align(_minAlign, 4);
        PutOffset(root);
        return _buffer.AsSpan(_space).ToArray();
    }

    private void SetField(int field)
    {
        if ((uint)field >= (uint)_fieldCount)
        {
            throw new ArgumentOutOfRangeException(nameof(field), field, "No such field in the table being built.");
        }

        _fields[field] = Offset;
    }

    private void NotInTable()
    {
        if (_fieldCount >= 0)
        {
            throw new InvalidOperationException("A table is being built.");
        }
    }

    /// <summary>Pads with zeros so that, once <paramref name="following"/> more bytes are written, a value of <paramref name="size"/> bytes is aligned.</summary>
    private void Align(int size, int following)
    {
        _minAlign = Math.Max(_minAlign, size);
        var padding = -(Offset + following) & (size - 1);
        Reserve(checked(padding + size + following));
        _buffer.AsSpan(_space - padding, padding).Clear();
        _space -= padding;
    }

    private void Reserve(int bytes)
    {
        while (_space < bytes)
        {
            var grown = new byte[checked(_buffer.Length * 2)];
            _buffer.AsSpan().CopyTo(grown.AsSpan(_buffer.Length));
            _space += _buffer.Length;
            _buffer = grown;
        }
    }

    private void PutOffset(int target)
    {
        Align(4, 0);
        if (target <= 0 || target > Offset)
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "An offset refers to something written before it.");
        }

        PutInt32(Offset - target + 4);
    }

    private void PutInt32(int value)
    {
        _space -= 4;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_space), value);
    }

    private void PutUInt16(ushort value)
    {
        _space -= 2;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_space), value);
    }
}
