using SlateDB.Compaction;
using SlateDB.GarbageCollection;

namespace SlateDB.Simulation.Harness;

/// <summary>A simulated process: its own clock view and its own connection to the bucket; a crash drops both.</summary>
internal abstract class SimProcess(int id, string role, VirtualClock clock, SimulatedObjectStore bucket)
{
    public int Id { get; } = id;

    public string Role { get; } = role;

    public VirtualClock.View Time { get; } = clock.NewView($"{role}-{id}");

    public SimulatedObjectStore.Client Store { get; } = bucket.NewClient(clock.NewView($"{role}-{id}-net"));

    public bool Dead { get; private set; }

    public void Crash()
    {
        Dead = true;
        Time.Kill();
        Store.Crash();
    }

    public override string ToString() => $"{Role}-{Id}";
}

/// <summary>A writer: opening, then (after its recovery check) the leader, possibly fenced later (a zombie).</summary>
internal sealed class WriterProcess(int id, VirtualClock clock, SimulatedObjectStore bucket) : SimProcess(id, "writer", clock, bucket)
{
    public SlateDb? Db { get; set; }

    /// <summary>The writer epoch it claimed (once open).</summary>
    public ulong Epoch { get; set; }

    /// <summary>True once the recovery check passed: the harness may write and read through it.</summary>
    public bool Ready { get; set; }

    /// <summary>A newer writer opened: what this one does from now on must never become visible.</summary>
    public bool Zombie { get; set; }

    /// <summary>Writes issued by this process not yet known durable.</summary>
    public List<ModelWrite> Unacknowledged { get; } = [];
}

internal sealed class CompactorProcess(int id, VirtualClock clock, SimulatedObjectStore bucket) : SimProcess(id, "compactor", clock, bucket)
{
    public Compactor? Compactor { get; set; }
}

internal sealed class CollectorProcess(int id, VirtualClock clock, SimulatedObjectStore bucket) : SimProcess(id, "gc", clock, bucket)
{
    public GarbageCollector? Collector { get; set; }
}
