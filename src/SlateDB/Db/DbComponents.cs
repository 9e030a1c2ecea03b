using Microsoft.Extensions.Logging;
using SlateDB.Diagnostics;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Db;

/// <summary>The parts one open database is built from, shared by its background loops.</summary>
internal sealed class DbComponents
{
    public required string Path { get; init; }

    public required IObjectStore Store { get; init; }

    public required DbPaths Paths { get; init; }

    public required SlateDbOptions Options { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    public required ILoggerFactory LoggerFactory { get; init; }

    public required SlateDbMetrics Metrics { get; init; }

    public required TableStore Tables { get; init; }

    /// <summary>The WAL: written by the writer, replayed by recovery, collected by the garbage collector.</summary>
    public required SlateDB.Wal.IWal Wal { get; init; }

    public required ManifestStore Manifests { get; init; }

    public required SlateDB.Common.IdGenerator Ids { get; init; }

    /// <summary>The block cache the database created for itself (disposed at close); null when the caller gave one or none.</summary>
    public SlateDB.Caching.MemoryBlockCache? OwnedBlockCache { get; init; }
}
