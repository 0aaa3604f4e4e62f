using DfuSharp.Simulation;

namespace DfuSharp.Tests.Simulation;

public sealed class VirtualTimeProviderTests
{
    [Fact]
    public async Task Delay_CompletesAtOnceAndMovesClockByDelay()
    {
        var time = new VirtualTimeProvider();
        DateTimeOffset start = time.GetUtcNow();
        await Task.Delay(TimeSpan.FromHours(3), time);
        (time.GetUtcNow() - start).Should().Be(TimeSpan.FromHours(3));
        time.Elapsed.Should().Be(TimeSpan.FromHours(3));
    }

    [Fact]
    public async Task Delays_Sequential_AddUp()
    {
        var time = new VirtualTimeProvider();
        await Task.Delay(TimeSpan.FromMilliseconds(50), time);
        await Task.Delay(TimeSpan.FromMilliseconds(250), time);
        time.Elapsed.Should().Be(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Timers_Concurrent_FireInDueTimeOrder()
    {
        var time = new VirtualTimeProvider();
        var order = new List<int>();
        var all = new TaskCompletionSource();
        var gate = new object();
        int fired = 0;
        void Callback(object? state)
        {
            lock (gate)
            {
                order.Add((int)state!);
                if (++fired == 3)
                {
                    all.SetResult();
                }
            }
        }

        using var t3 = time.CreateTimer(Callback, 3, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var t1 = time.CreateTimer(Callback, 1, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var t2 = time.CreateTimer(Callback, 2, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        await all.Task;
        order.Should().Equal(1, 2, 3);
        time.Elapsed.Should().Be(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Timer_DisposedBeforeDue_NeverFires()
    {
        var time = new VirtualTimeProvider();
        int fired = 0;
        ITimer timer = time.CreateTimer(_ => fired++, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Dispose();
        timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan).Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(5));
        fired.Should().Be(0);
    }

    [Fact]
    public void PeriodicTimer_FiresOnAdvanceOncePerPeriod()
    {
        var time = new VirtualTimeProvider();
        int fired = 0;
        using ITimer timer = time.CreateTimer(_ => Interlocked.Increment(ref fired), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        time.Elapsed.Should().Be(TimeSpan.Zero);
        time.Advance(TimeSpan.FromSeconds(3.5));
        fired.Should().Be(3);
        time.Elapsed.Should().Be(TimeSpan.FromSeconds(3.5));
    }

    [Fact]
    public async Task CancellationTimeout_LongerThanDelay_DoesNotFireEarly()
    {
        var time = new VirtualTimeProvider();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        await Task.Delay(TimeSpan.FromSeconds(1), time, cts.Token);
        cts.IsCancellationRequested.Should().BeFalse();
        time.Elapsed.Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task CancellationTimeout_PassedByLaterDelay_FiresAtItsDueTime()
    {
        var time = new VirtualTimeProvider();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        DateTimeOffset? cancelledAt = null;
        using CancellationTokenRegistration r = cts.Token.Register(() => cancelledAt = time.GetUtcNow());
        await Task.Delay(TimeSpan.FromSeconds(10), time);
        cts.IsCancellationRequested.Should().BeTrue();
        (cancelledAt - time.Start).Should().Be(TimeSpan.FromSeconds(5));
        time.Elapsed.Should().Be(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitAsyncTimeout_LongerThanDelay_DoesNotFireEarly()
    {
        var time = new VirtualTimeProvider();
        var done = new TaskCompletionSource();
        Task waiting = done.Task.WaitAsync(TimeSpan.FromSeconds(5), time);
        await Task.Delay(TimeSpan.FromSeconds(1), time);
        done.SetResult();
        await waiting;
        time.Elapsed.Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task WaitAsyncTimeout_Alone_FiresOnceNothingElseIsPending()
    {
        var time = new VirtualTimeProvider { StallBreakDelay = TimeSpan.FromMilliseconds(10) };
        var never = new TaskCompletionSource();
        Func<Task> act = () => never.Task.WaitAsync(TimeSpan.FromSeconds(2), time);
        await act.Should().ThrowAsync<TimeoutException>();
        time.Elapsed.Should().Be(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Advance_Negative_Throws()
    {
        var time = new VirtualTimeProvider();
        Action act = () => time.Advance(TimeSpan.FromTicks(-1));
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void GetTimestamp_FollowsVirtualClock()
    {
        var time = new VirtualTimeProvider();
        long t0 = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(1500));
        time.GetElapsedTime(t0).Should().Be(TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public async Task Delay_FromManyThreads_AllCompleteAndEachWaitsItsFullDelay()
    {
        // Concurrent delays start from whatever the clock reads when they are created, so only bounds are fixed.
        var time = new VirtualTimeProvider();
        TimeSpan[] waited = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(async () =>
        {
            DateTimeOffset start = time.GetUtcNow();
            await Task.Delay(TimeSpan.FromMilliseconds(i * 10), time);
            return time.GetUtcNow() - start;
        })));
        waited.Select((w, i) => w >= TimeSpan.FromMilliseconds((i + 1) * 10)).Should().OnlyContain(ok => ok);
        time.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200)).And.BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(2100));
    }
}
