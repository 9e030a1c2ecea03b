namespace SlateDB.Diagnostics;

/// <summary>
/// The engine's traces (System.Diagnostics.Activity). Listen by <see cref="Name"/>, for example with OpenTelemetry's
/// <c>AddSource(SlateDbActivitySource.Name)</c>; while nobody listens no activity is created.
/// </summary>
/// <remarks>
/// Spans, each tagged <c>db</c> with the database's name: <c>slatedb.write</c> (a put, delete or batch, until it is
/// committed or, with <see cref="WriteOptions.AwaitDurable"/>, durable; tag <c>slatedb.rows</c>), <c>slatedb.get</c>,
/// <c>slatedb.scan</c> (from opening the iterator to disposing it), <c>slatedb.wal.flush</c> (one WAL object; tag
/// <c>slatedb.wal.id</c>), <c>slatedb.l0.flush</c> (one memtable to one L0 SST), <c>slatedb.compaction</c> (tag
/// <c>slatedb.compaction.id</c>) and <c>slatedb.object_store.&lt;operation&gt;</c> (one object-store request, as a
/// client span; tags <c>slatedb.object_store.path</c> and, on failure, <c>error.type</c>). Object-store requests nest
/// under the span that caused them.
/// </remarks>
public static class SlateDbActivitySource
{
    /// <summary>The activity source's name, <c>SlateDB</c>.</summary>
    public const string Name = "SlateDB";
}
