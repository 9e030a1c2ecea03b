using System.Runtime.CompilerServices;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Decorators;

/// <summary>
/// Wraps a store and plays a script: each call takes the next step (fail before, apply then fail, or pass) and records
/// the operation and the time it was attempted. An empty script passes every call through.
/// </summary>
internal sealed class ScriptedStore(IObjectStore inner, TimeProvider? clock = null) : IObjectStore
{
    private readonly Lock _lock = new();
    private readonly Queue<Step> _script = new();
    private readonly List<(string Operation, DateTimeOffset At)> _attempts = [];

    public IReadOnlyList<(string Operation, DateTimeOffset At)> Attempts
    {
        get
        {
            lock (_lock)
            {
                return _attempts.ToList();
            }
        }
    }

    public int AttemptCount(string operation) => Attempts.Count(a => a.Operation == operation);

    /// <summary>The next <paramref name="times"/> calls throw before reaching the store.</summary>
    public ScriptedStore FailBefore(int times, Func<Exception> failure)
    {
        lock (_lock)
        {
            for (var i = 0; i < times; i++)
            {
                _script.Enqueue(new Step(failure, ApplyFirst: false));
            }
        }

        return this;
    }

    /// <summary>The next call is applied to the store, then throws (a lost response).</summary>
    public ScriptedStore LoseResponse(Func<Exception> failure)
    {
        lock (_lock)
        {
            _script.Enqueue(new Step(failure, ApplyFirst: true));
        }

        return this;
    }

    /// <summary>The next call passes through.</summary>
    public ScriptedStore Pass()
    {
        lock (_lock)
        {
            _script.Enqueue(new Step(null, ApplyFirst: false));
        }

        return this;
    }

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) =>
        RunAsync("get", () => inner.GetAsync(path, cancellationToken));

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) =>
        RunAsync("get_range", () => inner.GetRangeAsync(path, range, cancellationToken));

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) =>
        RunAsync("head", () => inner.HeadAsync(path, cancellationToken));

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) =>
        RunAsync("put", () => inner.PutAsync(path, data, mode, cancellationToken));

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken) =>
        await RunAsync("delete", async () =>
        {
            await inner.DeleteAsync(path, cancellationToken);
            return true;
        });

    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var step = Next("list");
        var yielded = 0;
        await foreach (var item in inner.ListAsync(prefix, cancellationToken))
        {
            // A scripted failure strikes a listing half-way, after its first item.
            if (step?.Failure is { } failure && yielded == 1)
            {
                throw failure();
            }

            yielded++;
            yield return item;
        }

        if (step?.Failure is { } late)
        {
            throw late();
        }
    }

    private async ValueTask<T> RunAsync<T>(string operation, Func<ValueTask<T>> call)
    {
        var step = Next(operation);
        if (step?.Failure is not { } failure)
        {
            return await call();
        }

        if (step.ApplyFirst)
        {
            await call();
        }

        throw failure();
    }

    private Step? Next(string operation)
    {
        lock (_lock)
        {
            _attempts.Add((operation, (clock ?? TimeProvider.System).GetUtcNow()));
            return _script.TryDequeue(out var step) ? step : null;
        }
    }

    private sealed record Step(Func<Exception>? Failure, bool ApplyFirst);
}
