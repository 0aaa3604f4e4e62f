namespace DfuSharp.Simulation;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock only moves when something waits on it: a one-shot timer (and so
/// <c>Task.Delay(delay, virtualTime)</c>) completes at once by moving the virtual clock to its due time. Tests that use
/// it never sleep, and their timing is exact and reproducible.
/// </summary>
/// <remarks>
/// <para>
/// Due timers fire in due-time order, one at a time, on a thread-pool thread, with the clock set to their due time.
/// A periodic timer does not drive the clock by itself (it would run forever); it fires whenever the clock passes its
/// due time because of a one-shot timer or <see cref="Advance"/>.
/// </para>
/// <para>
/// Because every one-shot timer fires at once, a timer used as a <em>timeout</em> (for example
/// <c>CancellationTokenSource.CancelAfter</c> on this provider) expires at once too. Code under test should compare
/// deadlines with <see cref="GetUtcNow"/> instead. The class is thread-safe.
/// </para>
/// </remarks>
public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _sequence;
    private bool _pumping;

    /// <summary>Initializes a new instance whose clock starts at 2026-01-01T00:00:00Z.</summary>
    public VirtualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Initializes a new instance whose clock starts at <paramref name="start"/>.</summary>
    /// <param name="start">The initial time.</param>
    public VirtualTimeProvider(DateTimeOffset start)
    {
        _now = start.ToUniversalTime();
        Start = _now;
    }

    /// <summary>Gets the time the clock started at.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Gets how far the clock has moved since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_gate)
            {
                return _now - Start;
            }
        }
    }

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc/>
    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return (_now - Start).Ticks;
        }
    }

    /// <summary>Moves the clock forward and fires every timer that falls due on the way, in due-time order.</summary>
    /// <param name="delta">How far to move; must not be negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }

        while (true)
        {
            VirtualTimer? next;
            lock (_gate)
            {
                next = EarliestLocked(t => t.Due <= target);
                if (next is null)
                {
                    if (_now < target)
                    {
                        _now = target;
                    }

                    return;
                }

                FireLocked(next);
            }

            next.Invoke();
        }
    }

    /// <summary>Moves the clock forward to <paramref name="time"/> if it is later than now, without firing timers.</summary>
    /// <param name="time">The time to move to.</param>
    /// <remarks>Simulated devices use this when a synchronous caller must wait for a busy device.</remarks>
    internal void MoveTo(DateTimeOffset time)
    {
        lock (_gate)
        {
            if (time > _now)
            {
                _now = time;
            }
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(VirtualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        bool pump;
        lock (_gate)
        {
            _timers.Remove(timer);
            timer.Period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.Due = _now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            timer.Sequence = ++_sequence;
            _timers.Add(timer);
            pump = !_pumping && (period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero);
            if (pump)
            {
                _pumping = true;
            }
        }

        if (pump)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static self => self.Pump(), this, preferLocal: false);
        }
    }

    private void Unschedule(VirtualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private void Pump()
    {
        while (true)
        {
            VirtualTimer? next;
            lock (_gate)
            {
                // Only one-shot timers drive the clock; periodic ones ride along when their due time is passed.
                VirtualTimer? oneShot = EarliestLocked(t => t.Period == Timeout.InfiniteTimeSpan || t.Period <= TimeSpan.Zero);
                if (oneShot is null)
                {
                    next = EarliestLocked(t => t.Due <= _now);
                    if (next is null)
                    {
                        _pumping = false;
                        return;
                    }
                }
                else
                {
                    next = EarliestLocked(t => t.Due <= oneShot.Due) ?? oneShot;
                }

                FireLocked(next);
            }

            next.Invoke();
        }
    }

    private VirtualTimer? EarliestLocked(Func<VirtualTimer, bool> filter)
    {
        VirtualTimer? best = null;
        foreach (VirtualTimer t in _timers)
        {
            if (filter(t) && (best is null || t.Due < best.Due || (t.Due == best.Due && t.Sequence < best.Sequence)))
            {
                best = t;
            }
        }

        return best;
    }

    private void FireLocked(VirtualTimer timer)
    {
        if (timer.Due > _now)
        {
            _now = timer.Due;
        }

        _timers.Remove(timer);
        if (timer.Period != Timeout.InfiniteTimeSpan && timer.Period > TimeSpan.Zero)
        {
            timer.Due = _now + timer.Period;
            timer.Sequence = ++_sequence;
            _timers.Add(timer);
        }
    }

    private sealed class VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _disposed;

        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; set; } = Timeout.InfiniteTimeSpan;

        public long Sequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (Volatile.Read(ref _disposed))
            {
                return false;
            }

            owner.Schedule(this, dueTime, period);
            return true;
        }

        public void Invoke()
        {
            if (!Volatile.Read(ref _disposed))
            {
                callback(state);
            }
        }

        public void Dispose()
        {
            Volatile.Write(ref _disposed, true);
            owner.Unschedule(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
