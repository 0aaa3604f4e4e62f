namespace DfuSharp.Simulation;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock only moves when something waits on it: a one-shot timer (and so
/// <c>Task.Delay(delay, virtualTime)</c>) completes at once by moving the virtual clock to its due time. Tests that use
/// it never sleep, and their timing is exact and reproducible.
/// </summary>
/// <remarks>
/// <para>
/// Due timers fire in due-time order, one at a time, on a thread-pool thread, with the clock set to their due time.
/// </para>
/// <para>
/// Timers that stand for a <em>timeout</em> do not drive the clock: periodic timers, the timer of a
/// <see cref="CancellationTokenSource"/> created with this provider (<c>new CancellationTokenSource(delay, time)</c>),
/// and the timer of <c>Task.WaitAsync(timeout, time)</c>. They fire when the clock passes their due time because of a
/// delay or <see cref="Advance"/>, so a timeout races a delay honestly. When nothing but such timers is left and no new
/// timer appears for a second of real time, the earliest fires anyway, so that a wait on a timeout alone cannot hang.
/// </para>
/// <para>The class is thread-safe.</para>
/// </remarks>
public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _sequence;
    private bool _pumping;
    private Timer? _stallBreaker;

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

    /// <summary>Gets or sets how long (real time) only passive timers may be pending before the earliest fires.</summary>
    internal TimeSpan StallBreakDelay { get; set; } = TimeSpan.FromSeconds(1);

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

    /// <summary>
    /// Returns a wait for <c>Task.Delay</c> that is not shorter than <paramref name="wait"/>: Task.Delay counts whole
    /// milliseconds and drops the rest, so a sub-millisecond remainder (bus time, 16 µs programming units) would wake a
    /// waiter early, and a wait under 1 ms would not wait at all (a loop on it would spin without moving the clock).
    /// </summary>
    /// <param name="wait">The wait.</param>
    /// <returns>The wait rounded up to whole milliseconds, at least 1 ms.</returns>
    internal static TimeSpan WholeMilliseconds(TimeSpan wait)
        => TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait.TotalMilliseconds)));

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

    /// <summary>Returns whether a timer moves the clock by itself, or only fires when the clock passes it (a timeout).</summary>
    private static bool DrivesClock(VirtualTimer timer)
        => !timer.IsPeriodic
           && timer.State is not CancellationTokenSource
           && !(timer.State?.GetType().Name.Contains("CancellationPromise", StringComparison.Ordinal) ?? false);

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
            pump = !_pumping && DrivesClock(timer);
            if (pump)
            {
                _pumping = true;
            }
            else if (!_pumping)
            {
                ArmStallBreakerLocked();
            }
        }

        if (pump)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static self => self.Pump(), this, preferLocal: false);
        }
    }

    private void ArmStallBreakerLocked()
    {
        _stallBreaker ??= new Timer(static self => ((VirtualTimeProvider)self!).BreakStall(), this, Timeout.Infinite, Timeout.Infinite);
        _stallBreaker.Change(StallBreakDelay, Timeout.InfiniteTimeSpan);
    }

    private void BreakStall()
    {
        VirtualTimer? next;
        lock (_gate)
        {
            if (_pumping || _timers.Any(DrivesClock))
            {
                return;
            }

            next = EarliestLocked(_ => true);
            if (next is null)
            {
                return;
            }

            FireLocked(next);
            if (_timers.Count > 0)
            {
                ArmStallBreakerLocked();
            }
        }

        next.Invoke();
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
                // Only delays drive the clock; timeouts and periodic timers ride along when their due time is passed.
                VirtualTimer? oneShot = EarliestLocked(DrivesClock);
                if (oneShot is null)
                {
                    next = EarliestLocked(t => t.Due <= _now);
                    if (next is null)
                    {
                        _pumping = false;
                        if (_timers.Count > 0)
                        {
                            ArmStallBreakerLocked();
                        }

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
        if (timer.IsPeriodic)
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

        public bool IsPeriodic => Period != Timeout.InfiniteTimeSpan && Period > TimeSpan.Zero;

        public object? State => state;

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
