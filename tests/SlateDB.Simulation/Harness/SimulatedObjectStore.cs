using System.Net;
using System.Runtime.CompilerServices;
using SlateDB.Storage;

namespace SlateDB.Simulation.Harness;

/// <summary>
/// The simulated bucket: what has landed (an <see cref="InMemoryObjectStore"/> on the virtual clock) and the requests
/// in flight. Each simulated process talks to it through its own <see cref="Client"/>, which gives every request a
/// fate from the <see cref="FaultPlan"/> (latency before and after the store acts, 503/429 refusals, lost responses).
/// When a process crashes, its requests never answer; a write still on its way lands or not, as its fate says.
/// </summary>
internal sealed class SimulatedObjectStore
{
    private readonly InMemoryObjectStore _landed;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _occurrences = new(StringComparer.Ordinal);
    private readonly List<string> _events = [];

    public SimulatedObjectStore(VirtualClock clock, FaultPlan plan)
    {
        _landed = new InMemoryObjectStore(clock.NewView("bucket"));
        Plan = plan;
    }

    /// <summary>The fault plan; the harness swaps in a quiet one for the final checks.</summary>
    public FaultPlan Plan { get; set; }

    /// <summary>The objects that have landed, with no faults: for the harness's own checks.</summary>
    public IObjectStore Landed => _landed;

    public long Requests { get; private set; }

    public long Refused503 { get; private set; }

    public long Throttled429 { get; private set; }

    public long LostResponses { get; private set; }

    public long CrashedInFlightLanded { get; private set; }

    public long CrashedInFlightDropped { get; private set; }

    public Client NewClient(VirtualClock.View time) => new(this, time);

    /// <summary>The store events since the last call, sorted, so that the trace does not depend on the order in which concurrent tasks issued them within one step.</summary>
    public List<string> TakeEvents()
    {
        lock (_lock)
        {
            var events = _events.ToList();
            _events.Clear();
            events.Sort(StringComparer.Ordinal);
            return events;
        }
    }

    private RequestFate Decide(string who, string operation, string path, out long occurrence)
    {
        lock (_lock)
        {
            var key = operation + "|" + path;
            occurrence = _occurrences.GetValueOrDefault(key);
            _occurrences[key] = occurrence + 1;
            var fate = Plan.Decide(operation, path, occurrence);
            Requests++;
            switch (fate.Fault)
            {
                case FaultKind.Unavailable503: Refused503++; break;
                case FaultKind.Throttled429: Throttled429++; break;
                case FaultKind.LostResponse: LostResponses++; break;
            }

            _events.Add($"{who} {operation} {path} {fate.Fault}");
            return fate;
        }
    }

    private void Note(string text)
    {
        lock (_lock)
        {
            _events.Add(text);
        }
    }

    /// <summary>One process's connection to the bucket.</summary>
    internal sealed class Client(SimulatedObjectStore bucket, VirtualClock.View time) : IObjectStore
    {
        private readonly Lock _lock = new();
        private readonly HashSet<PendingWrite> _unsent = [];
        private bool _crashed;
        private long _writes;

        /// <summary>
        /// The process died: its requests never answer, and each write not yet at the store lands or not as its fate
        /// says (a request on the wire may still arrive after its sender is gone).
        /// </summary>
        public void Crash()
        {
            List<PendingWrite> unsent;
            lock (_lock)
            {
                _crashed = true;
                unsent = [.. _unsent];
                _unsent.Clear();
            }

            time.Kill();
            foreach (var write in unsent.OrderBy(w => w.Path, StringComparer.Ordinal).ThenBy(w => w.Order))
            {
                if (write.Fate.LandsIfCrashed && write.Fate.Fault is FaultKind.None or FaultKind.LostResponse)
                {
                    write.Apply().AsTask().GetAwaiter().GetResult();
                    bucket.CrashedInFlightLanded++;
                    bucket.Note($"{time.Name} crash-landed {write.Path}");
                }
                else
                {
                    bucket.CrashedInFlightDropped++;
                    bucket.Note($"{time.Name} crash-dropped {write.Path}");
                }
            }
        }

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) =>
            RunAsync("get", path, () => bucket._landed.GetAsync(path, CancellationToken.None), null, cancellationToken);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) =>
            RunAsync("get-range", path, () => bucket._landed.GetRangeAsync(path, range, CancellationToken.None), null, cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) =>
            RunAsync("head", path, () => bucket._landed.HeadAsync(path, CancellationToken.None), null, cancellationToken);

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
        {
            var copy = data.ToArray();
            return RunAsync("put-" + mode.Kind.ToString().ToLowerInvariant(), path, () => bucket._landed.PutAsync(path, copy, mode, CancellationToken.None), path, cancellationToken);
        }

        public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken) =>
            await RunAsync("delete", path, async () =>
            {
                await bucket._landed.DeleteAsync(path, CancellationToken.None).ConfigureAwait(false);
                return true;
            }, path, cancellationToken).ConfigureAwait(false);

        public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var items = await RunAsync("list", prefix, async () =>
            {
                var list = new List<ObjectMetadata>();
                await foreach (var item in bucket._landed.ListAsync(prefix, CancellationToken.None).ConfigureAwait(false))
                {
                    list.Add(item);
                }

                return list;
            }, null, cancellationToken).ConfigureAwait(false);
            foreach (var item in items)
            {
                yield return item;
            }
        }

        private async ValueTask<T> RunAsync<T>(string operation, string path, Func<ValueTask<T>> act, string? writes, CancellationToken cancellationToken)
        {
            if (_crashed)
            {
                await new TaskCompletionSource().Task.ConfigureAwait(false); // a dead process's request never answers
            }

            var fate = bucket.Decide(time.Name, operation, path, out var occurrence);
            var request = $"{operation} {path} #{occurrence}";
            PendingWrite? pending = null;
            if (writes is not null)
            {
                lock (_lock)
                {
                    pending = new PendingWrite(writes, ++_writes, fate, async () => await act().ConfigureAwait(false));
                    _unsent.Add(pending);
                }
            }

            await Task.Delay(fate.RequestLatency, time.Keyed(request + " request"), cancellationToken).ConfigureAwait(false);
            if (pending is not null)
            {
                bool stillMine;
                lock (_lock)
                {
                    stillMine = _unsent.Remove(pending);
                }

                if (!stillMine)
                {
                    await new TaskCompletionSource().Task.ConfigureAwait(false); // the process crashed meanwhile
                }
            }

            if (fate.Fault is FaultKind.Unavailable503 or FaultKind.Throttled429)
            {
                await Task.Delay(fate.ResponseLatency, time.Keyed(request + " response"), cancellationToken).ConfigureAwait(false);
                var status = fate.Fault == FaultKind.Throttled429 ? HttpStatusCode.TooManyRequests : HttpStatusCode.ServiceUnavailable;
                throw new HttpRequestException($"simulated HTTP {(int)status} for {operation} {path}", null, status);
            }

            var result = await act().ConfigureAwait(false);
            await Task.Delay(fate.ResponseLatency, time.Keyed(request + " response"), CancellationToken.None).ConfigureAwait(false);
            if (fate.Fault == FaultKind.LostResponse)
            {
                throw new HttpRequestException($"simulated lost response for {operation} {path} (the request was served)", new IOException("connection reset by peer"));
            }

            return result;
        }
    }

    private sealed class PendingWrite(string path, long order, RequestFate fate, Func<ValueTask> apply)
    {
        public string Path { get; } = path;

        public RequestFate Fate { get; } = fate;

        public long Order { get; } = order;

        public ValueTask Apply() => apply();
    }
}
