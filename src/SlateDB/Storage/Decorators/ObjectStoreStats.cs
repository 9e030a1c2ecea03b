namespace SlateDB.Storage;

/// <summary>
/// Request counts and bytes seen by an <see cref="InstrumentedObjectStore"/> since it was created or last reset. Each
/// request counts once, when it completes (successfully or not); a listing counts when its enumeration ends.
/// </summary>
/// <param name="Gets">Whole-object reads.</param>
/// <param name="RangeGets">Byte-range reads.</param>
/// <param name="Heads">Metadata reads.</param>
/// <param name="OverwritePuts">Unconditional puts.</param>
/// <param name="CreatePuts">Create-if-absent puts.</param>
/// <param name="UpdatePuts">Update-if-version puts.</param>
/// <param name="PutConflicts">Conditional puts that wrote nothing (already exists, or version mismatch).</param>
/// <param name="Deletes">Deletes.</param>
/// <param name="Lists">Listings.</param>
/// <param name="Errors">Requests of any kind that threw.</param>
/// <param name="BytesRead">Bytes returned by whole and range reads.</param>
/// <param name="BytesWritten">Bytes sent by puts that returned a result, whatever the outcome.</param>
public sealed record ObjectStoreStats(
    long Gets,
    long RangeGets,
    long Heads,
    long OverwritePuts,
    long CreatePuts,
    long UpdatePuts,
    long PutConflicts,
    long Deletes,
    long Lists,
    long Errors,
    long BytesRead,
    long BytesWritten)
{
    /// <summary>Puts of every mode.</summary>
    public long Puts => OverwritePuts + CreatePuts + UpdatePuts;

    /// <summary>Requests of every kind.</summary>
    public long Requests => Gets + RangeGets + Heads + Puts + Deletes + Lists;
}

/// <summary>The live counters behind <see cref="ObjectStoreStats"/>; every update is one interlocked add.</summary>
internal sealed class ObjectStoreCounters
{
    private long _gets;
    private long _rangeGets;
    private long _heads;
    private long _overwritePuts;
    private long _createPuts;
    private long _updatePuts;
    private long _putConflicts;
    private long _deletes;
    private long _lists;
    private long _errors;
    private long _bytesRead;
    private long _bytesWritten;

    public void CountRequest(ObjectStoreOperation operation, PutModeKind putMode)
    {
        switch (operation)
        {
            case ObjectStoreOperation.Get:
                Interlocked.Increment(ref _gets);
                break;
            case ObjectStoreOperation.GetRange:
                Interlocked.Increment(ref _rangeGets);
                break;
            case ObjectStoreOperation.Head:
                Interlocked.Increment(ref _heads);
                break;
            case ObjectStoreOperation.Put when putMode == PutModeKind.Create:
                Interlocked.Increment(ref _createPuts);
                break;
            case ObjectStoreOperation.Put when putMode == PutModeKind.Update:
                Interlocked.Increment(ref _updatePuts);
                break;
            case ObjectStoreOperation.Put:
                Interlocked.Increment(ref _overwritePuts);
                break;
            case ObjectStoreOperation.Delete:
                Interlocked.Increment(ref _deletes);
                break;
            case ObjectStoreOperation.List:
                Interlocked.Increment(ref _lists);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown object-store operation.");
        }
    }

    public void CountConflict() => Interlocked.Increment(ref _putConflicts);

    public void CountError() => Interlocked.Increment(ref _errors);

    public void CountBytesRead(long bytes) => Interlocked.Add(ref _bytesRead, bytes);

    public void CountBytesWritten(long bytes) => Interlocked.Add(ref _bytesWritten, bytes);

    /// <summary>Reads every counter; each is exact, but requests in flight may land between two reads.</summary>
    public ObjectStoreStats Snapshot() => new(
        Interlocked.Read(ref _gets),
        Interlocked.Read(ref _rangeGets),
        Interlocked.Read(ref _heads),
        Interlocked.Read(ref _overwritePuts),
        Interlocked.Read(ref _createPuts),
        Interlocked.Read(ref _updatePuts),
        Interlocked.Read(ref _putConflicts),
        Interlocked.Read(ref _deletes),
        Interlocked.Read(ref _lists),
        Interlocked.Read(ref _errors),
        Interlocked.Read(ref _bytesRead),
        Interlocked.Read(ref _bytesWritten));

    public void Reset()
    {
        Interlocked.Exchange(ref _gets, 0);
        Interlocked.Exchange(ref _rangeGets, 0);
        Interlocked.Exchange(ref _heads, 0);
        Interlocked.Exchange(ref _overwritePuts, 0);
        Interlocked.Exchange(ref _createPuts, 0);
        Interlocked.Exchange(ref _updatePuts, 0);
        Interlocked.Exchange(ref _putConflicts, 0);
        Interlocked.Exchange(ref _deletes, 0);
        Interlocked.Exchange(ref _lists, 0);
        Interlocked.Exchange(ref _errors, 0);
        Interlocked.Exchange(ref _bytesRead, 0);
        Interlocked.Exchange(ref _bytesWritten, 0);
    }
}

/// <summary>The object-store operations the decorators tell apart.</summary>
internal enum ObjectStoreOperation
{
    Get,
    GetRange,
    Head,
    Put,
    Delete,
    List,
}
