using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Tests.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Usb;

public sealed class UsbDeviceWatchTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WatchAsync_ProviderWithoutHotplug_PollsEvery100Milliseconds()
    {
        var time = new VirtualTimeProvider();
        UsbDeviceInfo a = SimulatedDfuDevice.Create("dfu11", new SimulatedDeviceOptions { PortPath = "1-1" }).Device;
        UsbDeviceInfo b = SimulatedDfuDevice.Create("stm32f4", new SimulatedDeviceOptions { PortPath = "1-2" }).Device;

        // a is there from the start, b arrives at 250 ms, a leaves at 420 ms.
        var provider = new TimedBus(time, elapsed =>
            [.. elapsed < TimeSpan.FromMilliseconds(420) ? new[] { a } : [], .. elapsed >= TimeSpan.FromMilliseconds(250) ? new[] { b } : []]);
        using var stop = new CancellationTokenSource();
        var seen = new List<(UsbDeviceChangeKind Kind, string Path, TimeSpan At)>();
        IUsbDeviceProvider watched = provider;
        await foreach (UsbDeviceChange change in watched.WatchAsync(stop.Token).WithCancellation(stop.Token))
        {
            seen.Add((change.Kind, change.Device.PortPath, time.Elapsed));
            if (seen.Count == 3)
            {
                break;
            }
        }

        seen.Should().Equal(
            (UsbDeviceChangeKind.Arrived, "1-1", TimeSpan.Zero),
            (UsbDeviceChangeKind.Arrived, "1-2", TimeSpan.FromMilliseconds(300)),
            (UsbDeviceChangeKind.Left, "1-1", TimeSpan.FromMilliseconds(500)));
        provider.Waits.Should().OnlyContain(w => w == TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task WatchAsync_SimulatedBus_ReportsPresentThenPluggedAndUnplugged()
    {
        var bus = new SimulatedUsbBus(new VirtualTimeProvider());
        bus.Add("dfu11");
        using var stop = new CancellationTokenSource();
        await using IAsyncEnumerator<UsbDeviceChange> watch = bus.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);

        (await NextAsync(watch)).Should().Be(new UsbDeviceChange(UsbDeviceChangeKind.Arrived, bus.Devices[0].Device));
        SimulatedDfuDevice plugged = bus.Add("stm32f4");
        UsbDeviceChange arrived = await NextAsync(watch);
        arrived.Kind.Should().Be(UsbDeviceChangeKind.Arrived);
        arrived.Device.PortPath.Should().Be("sim-2");
        bus.Unplug(plugged).Should().BeTrue();
        UsbDeviceChange left = await NextAsync(watch);
        left.Kind.Should().Be(UsbDeviceChangeKind.Left);
        left.Device.PortPath.Should().Be("sim-2");
        await stop.CancelAsync();
    }

    [Fact]
    public async Task WatchAsync_Detach_BoardLeavesAndArrivesInDfuMode()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add("runtime");
        using var stop = new CancellationTokenSource();
        await using IAsyncEnumerator<UsbDeviceChange> watch = bus.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        UsbDeviceInfo before = (await NextAsync(watch)).Device;
        before.DfuInterfaces.Single().Setting.Mode.Should().Be(DfuMode.Runtime);

        await using IUsbTransport t = await bus.OpenAsync(before);
        await t.ControlOutAsync(DeviceDriver.Out(DfuRequest.Detach, 1000), ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(1));

        (await NextAsync(watch)).Should().Be(new UsbDeviceChange(UsbDeviceChangeKind.Left, before));
        UsbDeviceChange back = await NextAsync(watch);
        back.Kind.Should().Be(UsbDeviceChangeKind.Arrived);
        back.Device.PortPath.Should().Be(before.PortPath);
        back.Device.SerialNumber.Should().Be(before.SerialNumber);
        back.Device.DfuInterfaces.Should().OnlyContain(i => i.Setting.Mode == DfuMode.Dfu);
        time.Elapsed.Should().Be(TimeSpan.FromMilliseconds(100));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task WaitForDeviceAsync_NoSuchDevice_TimesOutOnTheProvidersClock()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add("dfu11");
        Func<Task> act = async () => await bus.WaitForDeviceAsync(d => d.SerialNumber == "none", TimeSpan.FromSeconds(2));
        (await act.Should().ThrowAsync<DfuReenumerationTimeoutException>()).Which.Timeout.Should().Be(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task WaitForDeviceAsync_Cancelled_ThrowsOperationCanceled()
    {
        var bus = new SimulatedUsbBus(new VirtualTimeProvider());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Func<Task> act = async () => await bus.WaitForDeviceAsync(_ => true, TimeSpan.FromSeconds(2), cancelled.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task WaitForDeviceAsync_BoardPluggedWhileWaiting_ReturnsIt()
    {
        var bus = new SimulatedUsbBus(new VirtualTimeProvider());
        ValueTask<UsbDeviceInfo> waiting = bus.WaitForDeviceAsync(d => d.PortPath == "sim-1", TimeSpan.FromSeconds(5));
        bus.Add("stm32f4");
        (await waiting.AsTask().WaitAsync(s_bound)).VendorId.Should().Be(0x0483);
    }

    private static async Task<UsbDeviceChange> NextAsync(IAsyncEnumerator<UsbDeviceChange> watch)
    {
        (await watch.MoveNextAsync().AsTask().WaitAsync(s_bound)).Should().BeTrue();
        return watch.Current;
    }

    /// <summary>A bus without hotplug events whose devices depend on the time: it only implements the listing and the
    /// wait, so <see cref="IUsbDeviceProvider.WatchAsync"/> is the default, polling one.</summary>
    private sealed class TimedBus(VirtualTimeProvider time, Func<TimeSpan, UsbDeviceInfo[]> present) : IUsbDeviceProvider
    {
        public List<TimeSpan> Waits { get; } = [];

        public TimeProvider TimeProvider => time;

        public ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default)
            => ValueTask.FromResult<IReadOnlyList<UsbDeviceInfo>>(present(time.Elapsed));

        public ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default)
            => throw new UsbTransportException(UsbError.NotSupported, "Listing only.");

        public async ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            Waits.Add(timeout);
            await Task.Delay(timeout, time, cancellationToken);
        }
    }
}
