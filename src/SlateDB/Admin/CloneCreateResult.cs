namespace SlateDB;

/// <summary>What <see cref="SlateDbAdmin.CreateCloneAsync"/> made: the clone's link to its parent.</summary>
/// <param name="ParentPath">The parent database's path.</param>
/// <param name="SourceCheckpointId">The parent checkpoint the clone was made from.</param>
/// <param name="FinalCheckpointId">The checkpoint the clone holds on the parent until it detaches (null once detached).</param>
/// <param name="BorrowedSsts">How many SSTs of other databases the clone reads (until compaction rewrites them).</param>
public sealed record CloneCreateResult(string ParentPath, Guid SourceCheckpointId, Guid? FinalCheckpointId, int BorrowedSsts);
