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
    public async Task Delay_FromManyThreads_ClockEndsAtLongestDelay()
    {
        var time = new VirtualTimeProvider();
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(() => Task.Delay(TimeSpan.FromMilliseconds(i * 10), time))));
        time.Elapsed.Should().Be(TimeSpan.FromMilliseconds(200));
    }
}
