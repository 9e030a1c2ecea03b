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
/// <para><b>Conflicts are checked before they are believed.</b> A conditional put may be applied by the store while its
/// response is lost, and a re-send then finds its own object and reports <see cref="PutOutcome.AlreadyExists"/> (for
/// <see cref="PutMode.Create"/>) or <see cref="PutOutcome.VersionMismatch"/> (for <see cref="PutMode.Update(string)"/>):
/// a false conflict. Such re-sends happen inside this class (after a transient failure) and also where it cannot see
/// them: cloud SDKs re-send a request on a stale pooled connection whatever their retry settings (seen with the AWS
/// SDK against a Ceph gateway paused for two minutes: the first PUT landed, the re-send got 412). Believed, a false
/// conflict closes the only writer as fenced (WAL), fails a memtable flush (SST) or makes a manifest change be applied
/// twice. So every conflict is checked: the object is read back, and if it holds exactly the bytes this put sent the
/// put reports <see cref="PutOutcome.Written"/> with the version read back. The check only runs on the rare conflict
/// path; it reads the object in ranges of at most 8 MiB (one request for all but large objects), comparing the size
/// first and stopping at the first difference, so a large SST is never held twice. SlateDB tags conditional puts with
/// a unique id attribute and compares that instead; <see cref="IObjectStore"/> carries no attributes.</para>
/// <para>Byte equality is a sound stand-in only where no other writer can produce the same bytes. WAL SSTs hold the
/// writer's own rows with their sequence numbers and timestamps, SSTs and manifest or <c>.compactions</c> changes name
/// ULIDs, so they qualify. Two objects do not, and their conflicts are believed without a check (for them a false
/// conflict is harmless and a false success is not): WAL fences (a zero-byte object or an SST without rows; every
/// writer fencing a slot writes the same bytes, and a false conflict only moves the fence one slot on), and epoch
/// claims in the manifest (two processes claiming the next writer or compactor epoch from the same version write the
/// same bytes, and a false conflict only makes the claimant take the epoch after).
/// When the check itself fails the conflict stands. Set <see cref="RetryOptions.ResolveLostConditionalPuts"/> to
/// <see langword="false"/> to believe every conflict.</para>
/// </remarks>
public sealed partial class RetryingObjectStore : IObjectStore
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
    private long _outageFailures;
    private long _outageStart;
    private long _lastSuccess;
    private Exception? _lastFailure;

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
    /// <remarks>
    /// The first attempt runs before any async state machine: when it completes synchronously with the whole range (a
    /// local block read), it is returned as it is. Otherwise it becomes attempt 0 of the retry loop, which awaits it
    /// and retries a transient failure as usual.
    /// </remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2012:Use ValueTasks correctly", Justification = "The first attempt's ValueTask is consumed exactly once: its result here, or awaited by the retry loop.")]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ValueTask<ObjectContent?> first;
        try
        {
            first = _inner.GetRangeAsync(path, range, cancellationToken);
        }
        catch (Exception exception)
        {
            first = ValueTask.FromException<ObjectContent?>(exception); // Attempt 0 failed: the loop decides.
        }

        if (first.IsCompletedSuccessfully)
        {
            var content = first.Result;
            if (!IsWholeRange(content, range))
            {
                return GetRangeRetryingAsync(path, range, ValueTask.FromResult(content), cancellationToken); // Short: attempt 0 fails.
            }

            RecordSuccess(GetRangeOperation, path);
            return new(content);
        }

        return GetRangeRetryingAsync(path, range, first, cancellationToken);
    }

    private async ValueTask<ObjectContent?> GetRangeRetryingAsync(string path, ByteRange range, ValueTask<ObjectContent?> first, CancellationToken cancellationToken)
    {
        var attempts = new RangeAttempts(path, range, first);
        var attempt = await RunAsync(GetRangeOperation, path, attempts, static (inner, a, ct) => a.NextAsync(inner, ct), cancellationToken).ConfigureAwait(false);
        return attempt.Value;
    }

    /// <summary>The attempts of one ranged read: the one already started, then fresh ones.</summary>
    private sealed class RangeAttempts(string path, ByteRange range, ValueTask<ObjectContent?> first)
    {
        private bool _firstTaken;

        public ValueTask<ObjectContent?> NextAsync(IObjectStore inner, CancellationToken cancellationToken)
        {
            if (_firstTaken)
            {
                return GetRangeCheckedAsync(inner, path, range, cancellationToken);
            }

            _firstTaken = true;
            return CheckedAsync(first, path, range);
        }
    }

    /// <summary>True when <paramref name="content"/> (null: no object) holds every byte of <paramref name="range"/> inside the object.</summary>
    private static bool IsWholeRange(ObjectContent? content, ByteRange range) =>
        content is null || content.Data.Length == ExpectedRangeLength(content, range);

    // The range truncated at the object's end (nothing when it starts past the end).
    private static long ExpectedRangeLength(ObjectContent content, ByteRange range) => range.ClipTo(content.Metadata.Size).Length;

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
        if (result.IsWritten || !_options.ResolveLostConditionalPuts || mode.TrustsConflict || WalFences.IsFence(data, path))
        {
            return result;
        }

        return await ResolveConflictAsync(path, data, mode, result, cancellationToken).ConfigureAwait(false);
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
                RecordSuccess(operation, path);

                return new Attempted<TResult>(value, HadTransientFailure: retry > 0);
            }
            catch (Exception exception) when (TransientFailures.IsTransient(exception, cancellationToken))
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }

            var delay = NextBackoff(retry);
            var exhausted = _options.MaxRetries is { } maxRetries && retry >= maxRetries;
            RecordFailure(operation, path, retry + 1, exhausted ? null : delay, failure.SourceException);
            if (exhausted)
            {
                ObjectStoreLog.GivingUp(_logger, operation, path, retry + 1, failure.SourceException.GetType().Name, FirstLine(failure.SourceException.Message));
                failure.Throw();
            }
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>When a request last succeeded (a <see cref="TimeProvider"/> timestamp); 0 before any.</summary>
    internal long LastSuccessTimestamp => Volatile.Read(ref _lastSuccess);

    /// <summary>The clock the waits and timestamps run on.</summary>
    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>The last transient failure seen (for messages such as an open that ran out of time); null before any.</summary>
    internal Exception? LastTransientFailure => Volatile.Read(ref _lastFailure);

    /// <summary>
    /// Logs a transient failure without flooding: the first of an outage at Warning with its stack trace, the others
    /// at Debug with one line each; <see cref="EndOutage"/> logs a summary when a request succeeds again.
    /// </summary>
    private void RecordFailure(string operation, string path, int attempt, TimeSpan? delay, Exception exception)
    {
        Volatile.Write(ref _lastFailure, exception);
        if (Interlocked.Increment(ref _outageFailures) == 1)
        {
            Interlocked.Exchange(ref _outageStart, _timeProvider.GetTimestamp());
            ObjectStoreLog.OutageStarted(_logger, operation, path, delay ?? TimeSpan.Zero, exception);
        }
        else
        {
            ObjectStoreLog.Retrying(_logger, operation, path, attempt, delay ?? TimeSpan.Zero, exception.GetType().Name, FirstLine(exception.Message));
        }
    }

    /// <summary>Notes a request that succeeded: its time, and the end of an outage under way.</summary>
    private void RecordSuccess(string operation, string path)
    {
        Volatile.Write(ref _lastSuccess, _timeProvider.GetTimestamp());
        if (Volatile.Read(ref _outageFailures) > 0)
        {
            EndOutage(operation, path);
        }
    }

    private void EndOutage(string operation, string path)
    {
        var failures = Interlocked.Exchange(ref _outageFailures, 0);
        if (failures > 0)
        {
            var lasted = _timeProvider.GetElapsedTime(Interlocked.Read(ref _outageStart));
            ObjectStoreLog.OutageEnded(_logger, operation, path, failures, lasted);
        }
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
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

    private static async ValueTask<ObjectContent?> GetWholeAsync(IObjectStore inner, string path, CancellationToken cancellationToken)
    {
        var content = await inner.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (content is not null && content.Data.Length != content.Metadata.Size)
        {
            throw ShortRead(path, content.Data.Length, content.Metadata.Size);
        }

        return content;
    }

    private static ValueTask<ObjectContent?> GetRangeCheckedAsync(IObjectStore inner, string path, ByteRange range, CancellationToken cancellationToken) =>
        CheckedAsync(inner.GetRangeAsync(path, range, cancellationToken), path, range);

    private static async ValueTask<ObjectContent?> CheckedAsync(ValueTask<ObjectContent?> pending, string path, ByteRange range)
    {
        var content = await pending.ConfigureAwait(false);
        return IsWholeRange(content, range) ? content : throw ShortRead(path, content!.Data.Length, ExpectedRangeLength(content, range));
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
