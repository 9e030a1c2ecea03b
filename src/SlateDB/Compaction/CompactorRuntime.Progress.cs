using SlateDB.Common;
using SlateDB.Manifest;

namespace SlateDB.Compaction;

internal sealed partial class CompactorRuntime
{
    /// <summary>The resume context recorded for a compaction (an earlier attempt's ranges and outputs), if any. Call under the lock.</summary>
    private CompactionContext? ResumeContextOf(Ulid id) =>
        _file.Current.Compactions.FirstOrDefault(record => record.Id == id)?.Context;

    /// <summary>
    /// Records a running compaction's subcompaction state in its <c>.compactions</c> record (the format's resume
    /// context: ranges, the SSTs each has written, the retention sequence), so a compactor that takes over resumes it.
    /// The output SSTs named there are kept by the garbage collector while the compaction is unfinished.
    /// </summary>
    private async Task RecordProgressAsync(Ulid id, CompactionContext context, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFenced();
            await GuardAsync(() => _file.UpdateAsync(
                records => records
                    .Select(record => record.Id == id && record.Status == CompactionStatus.Running ? record with { Context = context } : record)
                    .ToArray(),
                cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The progress of one compaction, recorded through the runtime.</summary>
    private sealed class RecordedProgress(CompactorRuntime runtime, Ulid id, CompactionContext? resumed) : ICompactionProgress
    {
        public CompactionContext? Resumed => resumed;

        public Task RecordAsync(CompactionContext context, CancellationToken cancellationToken) => runtime.RecordProgressAsync(id, context, cancellationToken);
    }
}
