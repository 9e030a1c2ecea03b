using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// Checks that a FlatBuffers buffer is well formed for a schema before anything reads it, as Rust's
/// <c>flatbuffers::root_with_opts</c> does for SlateDB: every offset, vtable, vector and string in bounds and
/// aligned (relative to the buffer start), strings valid UTF-8 and NUL-terminated, required fields present, union
/// type and value present together, nesting at most 64 deep. Once a buffer passes, the generated accessors
/// cannot read outside it. On top of Rust's rules it rejects vtable entries of 32 KiB or more (the C# runtime
/// reads them as signed), and it bounds the "apparent size" (bytes visited, counting shared sub-objects each
/// time) so a small buffer whose offsets all point at one sub-table cannot make decoding explode. With
/// <c>requireCoverage</c> (metadata without a checksum: manifests) it also requires every byte the schema does not
/// reach to be zero (alignment padding, as FlatBuffers builders write it): a shortened vector length or a cleared
/// vtable entry then leaves the dropped entries' bytes unreferenced, which is found instead of silently losing them.
/// </summary>
internal ref struct FlatBufferVerifier
{
    private const int MaxDepth = 64;
    private const long MinApparentSizeLimit = 1 << 20;
    private const long ApparentSizeFactor = 64;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly long _maxApparentSize;
    private readonly bool[]? _covered;
    private long _apparentSize;
    private int _depth;

    private FlatBufferVerifier(ReadOnlySpan<byte> buffer, bool requireCoverage)
    {
        _buffer = buffer;
        _maxApparentSize = Math.Min(int.MaxValue, Math.Max(MinApparentSizeLimit, buffer.Length * ApparentSizeFactor));
        _covered = requireCoverage ? new bool[buffer.Length] : null;
    }

    /// <summary>
    /// Verifies <paramref name="buffer"/> holds a <paramref name="root"/> table; returns why not, or null. With
    /// <paramref name="requireCoverage"/>, every byte no table, vector or string covers must be zero.
    /// </summary>
    public static string? Verify(ReadOnlySpan<byte> buffer, FbTable root, bool requireCoverage = false)
    {
        var verifier = new FlatBufferVerifier(buffer, requireCoverage);
        return verifier.VisitOffsetToTable(0, root, root.Name) ?? verifier.UncoveredByte();
    }

    /// <summary>The first unreferenced byte that is not zero padding, when coverage is required.</summary>
    private readonly string? UncoveredByte()
    {
        if (_covered is null)
        {
            return null;
        }

        for (var i = 0; i < _covered.Length; i++)
        {
            if (!_covered[i] && _buffer[i] != 0)
            {
                return $"byte {i} belongs to no table, vector or string and is not zero padding";
            }
        }

        return null;
    }

    private string? VisitOffsetToTable(long position, FbTable table, string what)
    {
        if (!TryReadOffset(position, out var target, out var error))
        {
            return $"{what}: {error}";
        }

        return VisitTable(target, table);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string? VisitTable(long position, FbTable table)
    {
        if (!InBuffer(position, 4, 4, out var error))
        {
            return $"table {table.Name}: {error}";
        }

        var soffset = BinaryPrimitives.ReadInt32LittleEndian(_buffer[(int)position..]);
        var vtable = position - soffset;
        if (vtable < 0 || vtable >= _buffer.Length)
        {
            return $"table {table.Name} at {position}: its vtable offset {soffset} points outside the buffer";
        }

        if (!InBuffer(vtable, 2, 2, out error))
        {
            return $"vtable of {table.Name}: {error}";
        }

        int vtableLength = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[(int)vtable..]);
        if (vtableLength % 2 != 0 || vtableLength >= 0x8000)
        {
            return $"vtable of {table.Name} at {vtable}: bad length {vtableLength}";
        }

        if (!InBuffer(vtable, vtableLength, 1, out error))
        {
            return $"vtable of {table.Name}: {error}";
        }

        // The table's inline part (its size is the vtable's second entry) also holds fields this schema does not name.
        if (_covered is not null && vtableLength >= 4)
        {
            int inlineSize = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[(int)(vtable + 2)..]);
            if (!InBuffer(position, inlineSize, 1, out error))
            {
                return $"table {table.Name}: {error}";
            }
        }

        if (++_depth > MaxDepth)
        {
            return $"table {table.Name}: nested more than {MaxDepth} deep";
        }

        foreach (var field in table.Fields)
        {
            var fieldError = VisitField(position, vtable, vtableLength, table, field);
            if (fieldError is not null)
            {
                return fieldError;
            }
        }

        _depth--;
        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string? VisitField(long table, long vtable, int vtableLength, FbTable owner, FbField field)
    {
        var what = $"{owner.Name}.{field.Name}";
        if (!TryFieldPosition(table, vtable, vtableLength, field.Slot, out var position, out var error))
        {
            return $"{what}: {error}";
        }

        if (field.Kind == FbFieldKind.Union)
        {
            return VisitUnion(table, vtable, vtableLength, field, position, what);
        }

        if (position < 0)
        {
            return field.Required ? $"{what}: required field missing" : null;
        }

        return field.Kind switch
        {
            FbFieldKind.Scalar => InBuffer(position, field.Size, field.Size, out error) ? null : $"{what}: {error}",
            FbFieldKind.Table => VisitOffsetToTable(position, field.Target!, what),
            FbFieldKind.String => VisitString(position, what),
            FbFieldKind.ScalarVector => TryReadOffset(position, out var vector, out error) && TryVectorRange(vector, field.Size, out _, out _, out error) ? null : $"{what}: {error}",
            FbFieldKind.TableVector => VisitTableVector(position, field.Target!, what),
            _ => $"{what}: unknown field kind",
        };
    }

    private string? VisitUnion(long table, long vtable, int vtableLength, FbField field, long typePosition, string what)
    {
        if (!TryFieldPosition(table, vtable, vtableLength, field.ValueSlot, out var valuePosition, out var error))
        {
            return $"{what}: {error}";
        }

        if (typePosition < 0 && valuePosition < 0)
        {
            return field.Required ? $"{what}: required union missing" : null;
        }

        if (typePosition < 0 || valuePosition < 0)
        {
            return $"{what}: union type and value must be present together";
        }

        if (!InBuffer(typePosition, 1, 1, out error))
        {
            return $"{what}_type: {error}";
        }

        var members = field.UnionMembers!;
        var type = _buffer[(int)typePosition];
        var member = type < members.Count ? members[type] : null;
        return member is null ? null : VisitOffsetToTable(valuePosition, member, what);
    }

    private string? VisitTableVector(long position, FbTable table, string what)
    {
        if (!TryReadOffset(position, out var vector, out var error) || !TryVectorRange(vector, 4, out var start, out var count, out error))
        {
            return $"{what}: {error}";
        }

        for (long i = 0; i < count; i++)
        {
            var elementError = VisitOffsetToTable(start + (4 * i), table, what);
            if (elementError is not null)
            {
                return $"{elementError} (element {i})";
            }
        }

        return null;
    }

    private string? VisitString(long position, string what)
    {
        if (!TryReadOffset(position, out var vector, out var error) || !TryVectorRange(vector, 1, out var start, out var length, out error))
        {
            return $"{what}: {error}";
        }

        var end = start + length;
        if (end >= _buffer.Length || _buffer[(int)end] != 0)
        {
            return $"{what}: string at {start} is not NUL-terminated";
        }

        if (_covered is not null)
        {
            _covered[(int)end] = true;
        }

        return Utf8.IsValid(_buffer.Slice((int)start, (int)length)) ? null : $"{what}: string at {start} is not valid UTF-8";
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryFieldPosition(long table, long vtable, int vtableLength, int slot, out long position, out string? error)
    {
        position = -1;
        error = null;
        var entry = 4 + (2 * slot);
        if (entry >= vtableLength)
        {
            return true;
        }

        if (!InBuffer(vtable + entry, 2, 2, out error))
        {
            return false;
        }

        int fieldOffset = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[(int)(vtable + entry)..]);
        if (fieldOffset >= 0x8000)
        {
            error = $"field offset {fieldOffset} is too large";
            return false;
        }

        if (fieldOffset > 0)
        {
            position = table + fieldOffset;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReadOffset(long position, out long target, out string? error)
    {
        target = 0;
        if (!InBuffer(position, 4, 4, out error))
        {
            return false;
        }

        target = position + BinaryPrimitives.ReadUInt32LittleEndian(_buffer[(int)position..]);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryVectorRange(long position, int elementSize, out long start, out long count, out string? error)
    {
        start = position + 4;
        count = 0;
        if (!InBuffer(position, 4, 4, out error))
        {
            return false;
        }

        count = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[(int)position..]);
        return InBuffer(start, count * elementSize, elementSize, out error);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool InBuffer(long position, long size, int alignment, out string? error)
    {
        if (position % alignment != 0)
        {
            error = $"position {position} is not aligned to {alignment}";
            return false;
        }

        if (position < 0 || position + size > _buffer.Length)
        {
            error = $"range [{position}, {position + size}) is outside the {_buffer.Length}-byte buffer";
            return false;
        }

        if (_covered is not null)
        {
            _covered.AsSpan((int)position, (int)size).Fill(true);
        }

        _apparentSize += size;
        if (_apparentSize > _maxApparentSize)
        {
            error = $"the buffer expands to more than {_maxApparentSize} bytes";
            return false;
        }

        error = null;
        return true;
    }
}
