namespace SlateDB;

/// <summary>What a checkpoint made by <see cref="SlateDb.CreateCheckpointAsync"/> covers.</summary>
public enum CheckpointScope
{
    /// <summary>Every write committed before the call: the memtable is frozen and flushed to L0 first.</summary>
    All,

    /// <summary>Only what is durable already (in L0 and below, or in WAL objects written); nothing is flushed.</summary>
    Durable,
}
