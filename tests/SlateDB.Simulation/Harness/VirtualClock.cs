namespace SlateDB.Simulation.Harness;

/// <summary>
/// Virtual time for one simulation: a clock that moves only when the harness says so, and a queue of timers ordered
/// by due time. Ties are broken by a key that does not depend on which thread armed the timer first: the request's
/// identity for a simulated store's latency (<see cref="View.Keyed"/>), otherwise the view's name; only timers of one
/// view armed for the same instant fall back to the order they were armed in. Each simulated process gets its own
/// <see cref="View"/>; killing a view drops its timers, so a crashed process never wakes again.
/// </summary>
internal sealed class VirtualClock
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Timer, (long Due, string Tie, long Order)> _queue = new(Comparer<(long Due, string Tie, long Order)>.Create((a, b) =>
    {
        var byDue = a.Due.CompareTo(b.Due);
        if (byDue != 0)
        {
            return byDue;
        }

        var byTie = string.CompareOrdinal(a.Tie, b.Tie);
        return byTie != 0 ? byTie : a.Order.CompareTo(b.Order);
    }));
    private long _nowTicks;
    private long _order;

    public VirtualClock(DateTimeOffset start) => _nowTicks = start.UtcTicks;

    public DateTimeOffset UtcNow
    {
        get
        {
            lock (_lock)
            {
                return new DateTimeOffset(_nowTicks, TimeSpan.Zero);
            }
        }
    }

    /// <summary>Timers armed and not yet fired, of live views.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_lock)
            {
                Prune();
                return _queue.Count;
            }
        }
    }

    public View NewView(string name) => new(this, name);

    /// <summary>The due time of the next live timer, or null when none is armed.</summary>
    public DateTimeOffset? NextDue()
    {
        lock (_lock)
        {
            Prune();
            return _queue.TryPeek(out _, out var key) ? new DateTimeOffset(key.Due, TimeSpan.Zero) : null;
        }
    }

    /// <summary>
    /// Fires the earliest live timer if it is due no later than <paramref name="limit"/>, moving time to its due time,
    /// on the calling thread; otherwise moves time to <paramref name="limit"/>. Returns whether a timer fired.
    /// </summary>
    public bool FireOne(DateTimeOffset limit)
    {
        Timer? timer;
        lock (_lock)
        {
            Prune();
            if (!_queue.TryPeek(out timer, out var key) || key.Due > limit.UtcTicks)
            {
                _nowTicks = Math.Max(_nowTicks, limit.UtcTicks);
                return false;
            }

            _queue.Dequeue();
            _nowTicks = Math.Max(_nowTicks, key.Due);
            if (timer.Period is { } period)
            {
                timer.Arm(_nowTicks + period.Ticks);
            }
            else
            {
                timer.Disarm();
            }
        }

        timer.Fire();
        return true;
    }

    private void Prune()
    {
        while (_queue.TryPeek(out var timer, out var key) && (timer.Dead || timer.ArmedOrder != key.Order))
        {
            _queue.Dequeue();
        }
    }

    private void Schedule(Timer timer, long due)
    {
        lock (_lock)
        {
            var order = ++_order;
            timer.ArmedOrder = order;
            _queue.Enqueue(timer, (Math.Max(due, _nowTicks), timer.Tie, order));
        }
    }

    /// <summary>One process's view of the clock: a <see cref="TimeProvider"/> whose timers die with the process.</summary>
    internal sealed class View(VirtualClock clock, string name) : TimeProvider
    {
        public string Name { get; } = name;

        public bool Killed { get; private set; }

        public override DateTimeOffset GetUtcNow() => clock.UtcNow;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => clock.UtcNow.UtcTicks;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            CreateTimer(callback, state, dueTime, period, Name);

        /// <summary>The process is gone: none of its timers fires again.</summary>
        public void Kill() => Killed = true;

        /// <summary>
        /// This view, with timers whose ties with others due at the same instant are broken by <paramref name="tie"/>
        /// (for example a request's identity) instead of by the order concurrent tasks armed them.
        /// </summary>
        public TimeProvider Keyed(string tie) => new KeyedView(this, Name + "|" + tie);

        internal ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period, string tie)
        {
            var timer = new Timer(clock, this, callback, state, tie);
            timer.Change(dueTime, period);
            return timer;
        }
    }

    private sealed class KeyedView(View view, string tie) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => view.GetUtcNow();

        public override long TimestampFrequency => view.TimestampFrequency;

        public override long GetTimestamp() => view.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            view.CreateTimer(callback, state, dueTime, period, tie);
    }

    internal sealed class Timer(VirtualClock clock, View view, TimerCallback callback, object? state, string tie) : ITimer
    {
        /// <summary>What orders it among timers due at the same instant.</summary>
        public string Tie { get; } = tie;

        private bool _disposed;

        public long ArmedOrder { get; set; } = -1;

        public TimeSpan? Period { get; private set; }

        public bool Dead => _disposed || view.Killed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed)
            {
                return false;
            }

            Period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? null : period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                lock (clock._lock)
                {
                    ArmedOrder = -1;
                }

                return true;
            }

            clock.Schedule(this, clock.UtcNow.UtcTicks + Math.Max(0, dueTime.Ticks));
            return true;
        }

        // Called under the clock's lock.
        public void Arm(long due)
        {
            var order = ++clock._order;
            ArmedOrder = order;
            clock._queue.Enqueue(this, (due, Tie, order));
        }

        public void Disarm() => ArmedOrder = -1;

        public void Fire()
        {
            if (!Dead)
            {
                callback(state);
            }
        }

        public void Dispose()
        {
            lock (clock._lock)
            {
                _disposed = true;
                ArmedOrder = -1;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
