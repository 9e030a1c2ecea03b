using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SlateDB.Storage;

/// <summary>
/// Wraps an <see cref="IObjectStore"/> and retries requests that fail transiently, with exponential backoff (see
/// <see cref="RetryOptions"/>), as SlateDB's <c>RetryingObjectStore</c> does.
/// </summary>
/// <remarks>
/// <para><b>What is retried.</b> Only transient failures: <see cref="SlateDbException"/> of kind
/// <see cref="SlateDbErrorKind.Unavailable"/>, <see cref="TimeoutException"/>, <see cref="IOException"/>,
/// <see cref="HttpRequestException"/> (not for 4xx statuses other than 408 and 429), and an
/// <see cref="OperationCanceledException"/> raised while the caller's token is not cancelled (a client timeout).
/// Everything else surfaces at once: other exception kinds, the caller's cancellation, and conditional-put outcomes,
/// which are values and not failures. When <see cref="RetryOptions.MaxRetries"/> is reached the last failure surfaces.
/// Waits use the <see cref="TimeProvider"/>, so tests drive them with a fake clock.</para>
/// <para><b>Whole reads.</b> A listing is read completely inside one attempt and only then handed out, so a failure
/// half-way restarts it without duplicates. A read that returns fewer bytes than the object (or the requested range
/// inside it) holds is treated as a transient failure and retried.</para>
/// <para><b>Lost responses of conditional puts.</b> A put may be applied by the store while its response is lost; the
/// retry then finds its own object and reports <see cref="PutOutcome.AlreadyExists"/> (for <see cref="PutMode.Create"/>)
/// or <see cref="PutOutcome.VersionMismatch"/> (for <see cref="PutMode.Update(string)"/>), a false conflict. SlateDB
/// tags conditional puts with a unique id attribute and compares it on a HEAD. <see cref="IObjectStore"/> carries no
/// attributes, so this class compares bytes instead: when a put had a transient failure and a later attempt reports a
/// conflict, it reads the object back, and if the object holds exactly the bytes this put sent it reports
/// <see cref="PutOutcome.Written"/> with the version read back. A conflict on the first attempt is never checked: no
/// earlier attempt of ours can have been applied.</para>
/// <para>Why byte equality is a sound stand-in for SlateDB's objects: a conditional put that loses to a rival writer is
/// misreported as written only when the rival wrote identical bytes in the short window between our failed attempt and
/// its retry. WAL SSTs hold the writer's own rows with their sequence numbers and timestamps, and manifests and
/// <c>.compactions</c> hold the writer's state (epochs, WAL ids, SST ids, which are ULIDs), so two different writers
/// practically never produce the same bytes. The corner case: two processes that claim a new writer epoch from the same
/// manifest version at the same moment write byte-identical manifests, and two writers fencing the same WAL id both
/// write an empty object. If such a race meets a failed request on the losing side (one the store never applied), that
/// side believes it won. For the fence object the final manifest refresh still shows the loser a newer epoch; for the
/// manifest both processes hold the same epoch until their create-if-absent WAL writes collide on a slot, where a real
/// conflict stops one of them. Where even that window is unacceptable, set
/// <see cref="RetryOptions.ResolveLostConditionalPuts"/> to <see langword="false"/>: lost responses then surface as
/// conflicts, which SlateDB handles safely but less smoothly (it rereads and reapplies a manifest change, or closes as
/// fenced after a WAL write).</para>
/// </remarks>
public sealed class RetryingObjectStore : IObjectStore
{
    private const string GetOperation = "get";
    private const string GetRangeOperation = "get_range";
    private const string HeadOperation = "head";
    private const string PutOperation = "put";
    private const string DeleteOperation = "delete";
    private const string ListOperation = "list";

    private readonly IObjectStore _inner;
    private readonly RetryOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private readonly ILogger _logger;

    /// <summary>Creates a retrying wrapper around <paramref name="inner"/>.</summary>
    /// <param name="inner">The store whose requests are retried.</param>
    /// <param name="options">Backoff and retry limits; <see cref="RetryOptions.Default"/> when null.</param>
    /// <param name="timeProvider">The clock the waits run on; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="random">The random source for jitter (used under a lock); a fixed-seed one when null.</param>
    /// <param name="logger">Where retries are logged; nowhere when null.</param>
    /// <exception cref="ArgumentException">A setting in <paramref name="options"/> is out of range.</exception>
    public RetryingObjectStore(
        IObjectStore inner,
        RetryOptions? options = null,
        TimeProvider? timeProvider = null,
        Random? random = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        options ??= RetryOptions.Default;
        options.Validate();
        _inner = inner;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _random = random ?? new Random(0x51A7E);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The wrapped store.</summary>
    public IObjectStore Inner => _inner;

    /// <summary>The retry settings in force.</summary>
    public RetryOptions Options => _options;

    /// <inheritdoc/>
    public async ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        var attempt = await RunAsync(GetOperation, path, path, static (inner, p, ct) => GetWholeAsync(inner, p, ct), cancellationToken).ConfigureAwait(false);
        return attempt.Value;
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        var attempt = await RunAsync(GetRangeOperation, path, (path, range), static (inner, s, ct) => GetRangeCheckedAsync(inner, s.path, s.range, ct), cancellationToken).ConfigureAwait(false);
        return attempt.Value;
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        var attempt = await RunAsync(HeadOperation, path, path, static (inner, p, ct) => inner.HeadAsync(p, ct), cancellationToken).ConfigureAwait(false);
        return attempt.Value;
    }

    /// <inheritdoc/>
    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        var attempt = await RunAsync(PutOperation, path, (path, data, mode), static (inner, s, ct) => inner.PutAsync(s.path, s.data, s.mode, ct), cancellationToken).ConfigureAwait(false);
        var result = attempt.Value;
        if (result.IsWritten || !attempt.HadTransientFailure || !_options.ResolveLostConditionalPuts)
        {
            return result;
        }

        return await ResolveConflictAfterFailureAsync(path, data, mode, result, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        _ = await RunAsync(DeleteOperation, path, path, static async (inner, p, ct) =>
        {
            await inner.DeleteAsync(p, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A listing pages underneath; restarting one half-way would repeat entries, so each attempt reads all of it.
        var attempt = await RunAsync(ListOperation, prefix, prefix, static (inner, p, ct) => ListAllAsync(inner, p, ct), cancellationToken).ConfigureAwait(false);
        foreach (var item in attempt.Value)
        {
            yield return item;
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> until it succeeds, fails with something other than a transient failure, or the
    /// retry limit is reached (then the last failure is rethrown with its original stack).
    /// </summary>
    private async ValueTask<Attempted<TResult>> RunAsync<TState, TResult>(
        string operation,
        string path,
        TState state,
        Func<IObjectStore, TState, CancellationToken, ValueTask<TResult>> call,
        CancellationToken cancellationToken)
    {
        for (var retry = 0; ; retry++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ExceptionDispatchInfo failure;
            try
            {
                var value = await call(_inner, state, cancellationToken).ConfigureAwait(false);
                return new Attempted<TResult>(value, HadTransientFailure: retry > 0);
            }
            catch (Exception exception) when (TransientFailures.IsTransient(exception, cancellationToken))
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }

            if (_options.MaxRetries is { } maxRetries && retry >= maxRetries)
            {
                ObjectStoreLog.GivingUp(_logger, operation, path, retry + 1, failure.SourceException);
                failure.Throw();
            }

            var delay = NextBackoff(retry);
            ObjectStoreLog.Retrying(_logger, operation, path, retry + 1, delay, failure.SourceException);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan NextBackoff(int retry)
    {
        var unit = 0.0;
        if (_options.Jitter > 0)
        {
            lock (_randomLock)
            {
                unit = _random.NextDouble();
            }
        }

        return _options.Backoff(retry, unit);
    }

    /// <summary>
    /// A conditional put failed transiently and then reported a conflict: an earlier attempt may have been applied.
    /// Reads the object back and reports it written when it holds our bytes.
    /// </summary>
    private async ValueTask<PutResult> ResolveConflictAfterFailureAsync(
        string path, ReadOnlyMemory<byte> data, PutMode mode, PutResult conflict, CancellationToken cancellationToken)
    {
        ObjectContent? current;
        try
        {
            var attempt = await RunAsync(GetOperation, path, path, static (inner, p, ct) => GetWholeAsync(inner, p, ct), cancellationToken).ConfigureAwait(false);
            current = attempt.Value;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // As SlateDB: when the check itself fails, the conflict stands. A conflict is the safe answer: the engine
            // rereads and reapplies (manifests) or stops writing as fenced (WAL).
            ObjectStoreLog.LostPutCheckFailed(_logger, mode.Kind, path, conflict.Outcome, exception);
            return conflict;
        }

        if (current is not null && current.Data.Span.SequenceEqual(data.Span))
        {
            ObjectStoreLog.LostPutResolved(_logger, mode.Kind, path, conflict.Outcome);
            return PutResult.Written(current.Metadata.Version);
        }

        ObjectStoreLog.RetriedPutConflicted(_logger, mode.Kind, path, conflict.Outcome);
        return conflict;
    }

    private static async ValueTask<ObjectContent?> GetWholeAsync(IObjectStore inner, string path, CancellationToken cancellationToken)
    {
        var content = await inner.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (content is not null && content.Data.Length != content.Metadata.Size)
        {
            throw ShortRead(path, content.Data.Length, content.Metadata.Size);
        }

        return content;
    }

    private static async ValueTask<ObjectContent?> GetRangeCheckedAsync(IObjectStore inner, string path, ByteRange range, CancellationToken cancellationToken)
    {
        var content = await inner.GetRangeAsync(path, range, cancellationToken).ConfigureAwait(false);
        if (content is not null)
        {
            // The range truncated at the object's end (nothing when it starts past the end).
            var expected = Math.Max(0, Math.Min(range.End, content.Metadata.Size) - range.Offset);
            if (content.Data.Length != expected)
            {
                throw ShortRead(path, content.Data.Length, expected);
            }
        }

        return content;
    }

    private static async ValueTask<List<ObjectMetadata>> ListAllAsync(IObjectStore inner, string prefix, CancellationToken cancellationToken)
    {
        var items = new List<ObjectMetadata>();
        await foreach (var item in inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            items.Add(item);
        }

        return items;
    }

    private static SlateDbException ShortRead(string path, long read, long expected) =>
        new(SlateDbErrorKind.Unavailable, $"Read {read} bytes of '{path}' where {expected} were expected; the response was cut short.");

    private readonly record struct Attempted<T>(T Value, bool HadTransientFailure);
}
