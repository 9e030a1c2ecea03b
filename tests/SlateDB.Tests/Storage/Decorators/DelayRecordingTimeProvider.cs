using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace SlateDB.Tests.Storage.Decorators;

/// <summary>
/// A fake clock that reports every timer created on it (Task.Delay creates one), so a test can advance time exactly
/// when the code under test is waiting, and see each wait it asked for.
/// </summary>
internal sealed class DelayRecordingTimeProvider : TimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>
    /// Runs the clock for <paramref name="operation"/>: each time it starts a wait, advances time by exactly that wait,
    /// until it completes. Returns the waits in order.
    /// </summary>
    public async Task<List<TimeSpan>> DriveAsync(Task operation)
    {
        var waits = new List<TimeSpan>();
        while (true)
        {
            var timerStarted = _timers.Reader.WaitToReadAsync().AsTask();
            await Task.WhenAny(operation, timerStarted).WaitAsync(TimeSpan.FromSeconds(30));
            if (_timers.Reader.TryRead(out var wait))
            {
                waits.Add(wait);
                Fake.Advance(wait);
                continue;
            }

            if (operation.IsCompleted)
            {
                return waits;
            }
        }
    }
}
