namespace SlateDB.Common;

/// <summary>
/// A wake-up signal for one consumer loop: producers change shared state and then <see cref="Set"/>; the consumer
/// calls <see cref="Reset"/>, looks at the state, then awaits <see cref="WaitAsync"/>. A set between the reset and
/// the wait is never lost.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _source = New();

    public void Set() => Volatile.Read(ref _source).TrySetResult();

    /// <summary>Arms the signal again if it fired. Only the consumer calls this, before it looks at the state.</summary>
    public void Reset()
    {
        if (Volatile.Read(ref _source).Task.IsCompleted)
        {
            Volatile.Write(ref _source, New());
        }
    }

    public Task WaitAsync() => Volatile.Read(ref _source).Task;

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
