using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using SlateDB.Diagnostics;

namespace SlateDB.Storage;

/// <summary>
/// Wraps an <see cref="IObjectStore"/> and measures every request: count, bytes read or written, latency and errors on
/// the <see cref="SlateDbMeter.Name"/> meter, plus in-process counters in <see cref="Stats"/>.
/// </summary>
/// <remarks>
/// <para>Instruments: <c>slatedb.object_store.requests</c>, <c>slatedb.object_store.bytes</c>,
/// <c>slatedb.object_store.request.duration</c> (seconds) and <c>slatedb.object_store.errors</c>, tagged
/// <c>operation</c> (<c>get</c>, <c>get_range</c>, <c>head</c>, <c>put</c>, <c>delete</c>, <c>list</c>); puts add
/// <c>mode</c> (<c>overwrite</c>, <c>create</c>, <c>update</c>), completed puts add <c>outcome</c> (<c>written</c>,
/// <c>already_exists</c>, <c>version_mismatch</c>) on the request count, and errors add <c>error.type</c> (the
/// <see cref="SlateDbErrorKind"/> in lower case, <c>canceled</c>, or the exception's type name).</para>
/// <para>Place it beneath a <see cref="RetryingObjectStore"/> to count every attempt (as SlateDB does), or above it to
/// count logical requests. A listing is one request, measured from its first item requested to its end.</para>
/// </remarks>
public sealed partial class InstrumentedObjectStore : IObjectStore, IDisposable
{
    private readonly IObjectStore _inner;
    private readonly SlateDbMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly TimeProvider _timeProvider;
    private readonly ObjectStoreCounters _counters = new();

    /// <summary>Creates an instrumented wrapper with its own instruments.</summary>
    /// <param name="inner">The store whose requests are measured.</param>
    /// <param name="meterFactory">Where the meter comes from (dependency injection); a standalone meter when null.</param>
    /// <param name="timeProvider">The clock latencies are measured on; <see cref="TimeProvider.System"/> when null.</param>
    public InstrumentedObjectStore(IObjectStore inner, IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
        : this(inner ?? throw new ArgumentNullException(nameof(inner)), new SlateDbMetrics(meterFactory), ownsMetrics: true, timeProvider)
    {
    }

    /// <summary>Creates an instrumented wrapper recording on an engine's existing instruments (which it does not own).</summary>
    internal InstrumentedObjectStore(IObjectStore inner, SlateDbMetrics metrics, TimeProvider? timeProvider = null)
        : this(inner, metrics, ownsMetrics: false, timeProvider)
    {
    }

    private InstrumentedObjectStore(IObjectStore inner, SlateDbMetrics metrics, bool ownsMetrics, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(metrics);
        _inner = inner;
        _metrics = metrics;
        _ownsMetrics = ownsMetrics;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The wrapped store.</summary>
    public IObjectStore Inner => _inner;

    /// <summary>A snapshot of the request counters since creation or the last <see cref="ResetStats"/>.</summary>
    public ObjectStoreStats Stats => _counters.Snapshot();

    /// <summary>Sets the counters behind <see cref="Stats"/> back to zero (the meter's instruments are not affected).</summary>
    public void ResetStats() => _counters.Reset();

    /// <inheritdoc/>
    public async ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        var start = _timeProvider.GetTimestamp();
        var activity = StartSpan(ObjectStoreOperation.Get, path);
        try
        {
            var content = await _inner.GetAsync(path, cancellationToken).ConfigureAwait(false);
            Completed(activity, ObjectStoreOperation.Get, PutModeKind.Overwrite, start, content?.Data.Length ?? 0, outcome: null);
            return content;
        }
        catch (Exception exception) when (Failed(activity, ObjectStoreOperation.Get, PutModeKind.Overwrite, start, exception))
        {
            throw; // Failed() returns false: the filter only records.
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A read the inner store completes synchronously (a local block read) is measured and returned without an async
    /// state machine: block misses are the hot path of cold reads.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        var start = _timeProvider.GetTimestamp();
        var activity = StartSpan(ObjectStoreOperation.GetRange, path);
        ValueTask<ObjectContent?> pending;
        try
        {
            pending = _inner.GetRangeAsync(path, range, cancellationToken);
            if (pending.IsCompletedSuccessfully)
            {
                var content = pending.Result;
                Completed(activity, ObjectStoreOperation.GetRange, PutModeKind.Overwrite, start, content?.Data.Length ?? 0, outcome: null);
                return new(content);
            }
        }
        catch (Exception exception)
        {
            _ = Failed(activity, ObjectStoreOperation.GetRange, PutModeKind.Overwrite, start, exception);
            return ValueTask.FromException<ObjectContent?>(exception); // As an async method reports it.
        }

        return AwaitRangeAsync(pending, activity, start);
    }

    private async ValueTask<ObjectContent?> AwaitRangeAsync(ValueTask<ObjectContent?> pending, Activity? activity, long start)
    {
        try
        {
            var content = await pending.ConfigureAwait(false);
            Completed(activity, ObjectStoreOperation.GetRange, PutModeKind.Overwrite, start, content?.Data.Length ?? 0, outcome: null);
            return content;
        }
        catch (Exception exception) when (Failed(activity, ObjectStoreOperation.GetRange, PutModeKind.Overwrite, start, exception))
        {
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        var start = _timeProvider.GetTimestamp();
        var activity = StartSpan(ObjectStoreOperation.Head, path);
        try
        {
            var metadata = await _inner.HeadAsync(path, cancellationToken).ConfigureAwait(false);
            Completed(activity, ObjectStoreOperation.Head, PutModeKind.Overwrite, start, 0, outcome: null);
            return metadata;
        }
        catch (Exception exception) when (Failed(activity, ObjectStoreOperation.Head, PutModeKind.Overwrite, start, exception))
        {
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        var start = _timeProvider.GetTimestamp();
        var activity = StartSpan(ObjectStoreOperation.Put, path);
        try
        {
            var result = await _inner.PutAsync(path, data, mode, cancellationToken).ConfigureAwait(false);
            Completed(activity, ObjectStoreOperation.Put, mode.Kind, start, data.Length, result.Outcome);
            return result;
        }
        catch (Exception exception) when (Failed(activity, ObjectStoreOperation.Put, mode.Kind, start, exception))
        {
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var start = _timeProvider.GetTimestamp();
        var activity = StartSpan(ObjectStoreOperation.Delete, path);
        try
        {
            await _inner.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
            Completed(activity, ObjectStoreOperation.Delete, PutModeKind.Overwrite, start, 0, outcome: null);
        }
        catch (Exception exception) when (Failed(activity, ObjectStoreOperation.Delete, PutModeKind.Overwrite, start, exception))
        {
            throw;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = _timeProvider.GetTimestamp();
        var activity = StartSpan(ObjectStoreOperation.List, prefix);
        var failed = false;
        var enumerator = _inner.ListAsync(prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    failed = true;
                    Failed(activity, ObjectStoreOperation.List, PutModeKind.Overwrite, start, exception);
                    throw;
                }

                if (!more)
                {
                    break;
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            if (!failed)
            {
                // Finished, or abandoned by the consumer: either way one request.
                Completed(activity, ObjectStoreOperation.List, PutModeKind.Overwrite, start, 0, outcome: null);
            }
        }
    }

    /// <summary>Releases the instruments this wrapper created (not the wrapped store).</summary>
    public void Dispose()
    {
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Completed(Activity? activity, ObjectStoreOperation operation, PutModeKind mode, long start, long bytes, PutOutcome? outcome)
    {
        var seconds = _timeProvider.GetElapsedTime(start).TotalSeconds;
        if (activity is not null)
        {
            if (outcome is { } spanOutcome)
            {
                activity.SetTag("slatedb.object_store.outcome", OutcomeName(spanOutcome));
            }

            activity.Dispose();
        }

        _counters.CountRequest(operation, mode);
        if (operation is ObjectStoreOperation.Get or ObjectStoreOperation.GetRange)
        {
            _counters.CountBytesRead(bytes);
        }
        else if (operation == ObjectStoreOperation.Put)
        {
            _counters.CountBytesWritten(bytes);
        }

        if (outcome is PutOutcome.AlreadyExists or PutOutcome.VersionMismatch)
        {
            _counters.CountConflict();
        }

        var metrics = _metrics;
        if (metrics.ObjectStoreRequests.Enabled)
        {
            var tags = Tags(operation, mode);
            if (outcome is { } putOutcome)
            {
                tags.Add("outcome", OutcomeName(putOutcome));
            }

            metrics.ObjectStoreRequests.Add(1, tags);
        }

        if (bytes > 0 && metrics.ObjectStoreBytes.Enabled)
        {
            metrics.ObjectStoreBytes.Add(bytes, Tags(operation, mode));
        }

        if (metrics.ObjectStoreDuration.Enabled)
        {
            metrics.ObjectStoreDuration.Record(seconds, Tags(operation, mode));
        }
    }

    /// <summary>Records a failed request; returns false so it can run inside an exception filter.</summary>
    private bool Failed(Activity? activity, ObjectStoreOperation operation, PutModeKind mode, long start, Exception exception)
    {
        var seconds = _timeProvider.GetElapsedTime(start).TotalSeconds;
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.SetTag("error.type", ErrorType(exception));
            activity.Dispose();
        }

        _counters.CountRequest(operation, mode);
        _counters.CountError();

        var metrics = _metrics;
        if (metrics.ObjectStoreRequests.Enabled)
        {
            metrics.ObjectStoreRequests.Add(1, Tags(operation, mode));
        }

        if (metrics.ObjectStoreDuration.Enabled)
        {
            metrics.ObjectStoreDuration.Record(seconds, Tags(operation, mode));
        }

        if (metrics.ObjectStoreErrors.Enabled)
        {
            var tags = Tags(operation, mode);
            tags.Add("error.type", ErrorType(exception));
            metrics.ObjectStoreErrors.Add(1, tags);
        }

        return false;
    }

    /// <summary>A client span for one request, under the current one; null when nobody listens.</summary>
    private Activity? StartSpan(ObjectStoreOperation operation, string path)
    {
        var activity = DbTracing.Start(SpanName(operation), _metrics.DbName, ActivityKind.Client);
        activity?.SetTag("slatedb.object_store.path", path);
        return activity;
    }

    private static string SpanName(ObjectStoreOperation operation) => operation switch
    {
        ObjectStoreOperation.Get => "slatedb.object_store.get",
        ObjectStoreOperation.GetRange => "slatedb.object_store.get_range",
        ObjectStoreOperation.Head => "slatedb.object_store.head",
        ObjectStoreOperation.Put => "slatedb.object_store.put",
        ObjectStoreOperation.Delete => "slatedb.object_store.delete",
        _ => "slatedb.object_store.list",
    };

    private static TagList Tags(ObjectStoreOperation operation, PutModeKind mode)
    {
        var tags = new TagList { { "operation", OperationName(operation) } };
        if (operation == ObjectStoreOperation.Put)
        {
            tags.Add("mode", ModeName(mode));
        }

        return tags;
    }

    internal static string OperationName(ObjectStoreOperation operation) => operation switch
    {
        ObjectStoreOperation.Get => "get",
        ObjectStoreOperation.GetRange => "get_range",
        ObjectStoreOperation.Head => "head",
        ObjectStoreOperation.Put => "put",
        ObjectStoreOperation.Delete => "delete",
        _ => "list",
    };

    private static string ModeName(PutModeKind mode) => mode switch
    {
        PutModeKind.Create => "create",
        PutModeKind.Update => "update",
        _ => "overwrite",
    };

    private static string OutcomeName(PutOutcome outcome) => outcome switch
    {
        PutOutcome.AlreadyExists => "already_exists",
        PutOutcome.VersionMismatch => "version_mismatch",
        _ => "written",
    };

    private static string ErrorType(Exception exception) => exception switch
    {
        SlateDbException slate => slate.Kind switch
        {
            SlateDbErrorKind.Transaction => "transaction",
            SlateDbErrorKind.Closed => "closed",
            SlateDbErrorKind.Unavailable => "unavailable",
            SlateDbErrorKind.Invalid => "invalid",
            SlateDbErrorKind.Data => "data",
            _ => "internal",
        },
        OperationCanceledException => "canceled",
        _ => exception.GetType().FullName ?? exception.GetType().Name,
    };
}
