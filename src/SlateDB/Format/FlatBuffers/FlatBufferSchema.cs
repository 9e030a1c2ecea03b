namespace SlateDB.Format.FlatBuffers;

/// <summary>What a table field holds, as far as verification needs to know.</summary>
internal enum FbFieldKind
{
    /// <summary>An inline scalar of <see cref="FbField.Size"/> bytes.</summary>
    Scalar,

    /// <summary>An offset to a UTF-8 string.</summary>
    String,

    /// <summary>An offset to a table.</summary>
    Table,

    /// <summary>An offset to a vector of scalars of <see cref="FbField.Size"/> bytes each.</summary>
    ScalarVector,

    /// <summary>An offset to a vector of offsets to tables.</summary>
    TableVector,

    /// <summary>A union: a type byte in slot <see cref="FbField.Slot"/> and an offset in <see cref="FbField.ValueSlot"/>.</summary>
    Union,
}

/// <summary>One field of a <see cref="FbTable"/>: its vtable slot, kind and what it points to.</summary>
internal sealed class FbField
{
    private FbField(string name, int slot, FbFieldKind kind, int size, bool required, FbTable? table, int valueSlot, FbTable?[]? unionMembers)
    {
        Name = name;
        Slot = slot;
        Kind = kind;
        Size = size;
        Required = required;
        Target = table;
        ValueSlot = valueSlot;
        UnionMembers = unionMembers;
    }

    /// <summary>The schema name (for error messages).</summary>
    public string Name { get; }

    /// <summary>The field's index in the table (vtable entry); for a union, the type byte's index.</summary>
    public int Slot { get; }

    /// <summary>The kind.</summary>
    public FbFieldKind Kind { get; }

    /// <summary>Scalar or vector element size in bytes (also the alignment).</summary>
    public int Size { get; }

    /// <summary>Whether the schema marks the field required.</summary>
    public bool Required { get; }

    /// <summary>The table a table or table-vector field points to.</summary>
    public FbTable? Target { get; }

    /// <summary>For a union, the value offset's index.</summary>
    public int ValueSlot { get; }

    /// <summary>For a union, the member table of each type code (index 0, NONE, is null).</summary>
    public IReadOnlyList<FbTable?>? UnionMembers { get; }

    /// <summary>An inline scalar.</summary>
    public static FbField Scalar(int slot, string name, int size) => new(name, slot, FbFieldKind.Scalar, size, false, null, 0, null);

    /// <summary>A string.</summary>
    public static FbField String(int slot, string name, bool required = false) => new(name, slot, FbFieldKind.String, 1, required, null, 0, null);

    /// <summary>A sub-table.</summary>
    public static FbField Table(int slot, string name, FbTable table, bool required = false) => new(name, slot, FbFieldKind.Table, 4, required, table, 0, null);

    /// <summary>A vector of scalars (size 1 for bytes).</summary>
    public static FbField Vector(int slot, string name, int elementSize, bool required = false) => new(name, slot, FbFieldKind.ScalarVector, elementSize, required, null, 0, null);

    /// <summary>A vector of tables.</summary>
    public static FbField Tables(int slot, string name, FbTable table, bool required = false) => new(name, slot, FbFieldKind.TableVector, 4, required, table, 0, null);

    /// <summary>A union whose type byte is in <paramref name="typeSlot"/> and value in <paramref name="valueSlot"/>.</summary>
    public static FbField Union(int typeSlot, int valueSlot, string name, FbTable?[] members, bool required = false)
        => new(name, typeSlot, FbFieldKind.Union, 1, required, null, valueSlot, members);
}

/// <summary>A table of a FlatBuffers schema, described for <see cref="FlatBufferVerifier"/>.</summary>
internal sealed class FbTable(string name, params FbField[] fields)
{
    /// <summary>The schema name.</summary>
    public string Name { get; } = name;

    /// <summary>The fields.</summary>
    public IReadOnlyList<FbField> Fields { get; } = fields;
}
