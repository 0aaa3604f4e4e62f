using DfuSharp.LibUsb;
using DfuSharp.Usb;

namespace DfuSharp.Tests.LibUsb;

public sealed class LibUsbWatchTests
{
    [LibUsbFact]
    public async Task WatchAsync_Polling_StartsWithTheDevicesPresent()
    {
        using var provider = new LibUsbDeviceProvider(new LibUsbDeviceProviderOptions { UseHotplug = false });
        IReadOnlyList<UsbDeviceInfo> present = await provider.EnumerateAsync();
        using var stop = new CancellationTokenSource();
        var seen = new List<UsbDeviceChange>();
        await using IAsyncEnumerator<UsbDeviceChange> watch = provider.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        for (int i = 0; i < present.Count; i++)
        {
            (await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue();
            seen.Add(watch.Current);
        }

        seen.Where(c => c.Kind != UsbDeviceChangeKind.Arrived).Should().BeEmpty();
        seen.Select(c => (c.Device.BusNumber, c.Device.DeviceAddress)).Should().BeEquivalentTo(present.Select(d => (d.BusNumber, d.DeviceAddress)));

        // With nothing plugged in or out, the next poll finds no change: the watch is still waiting when stopped.
        ValueTask<bool> next = watch.MoveNextAsync();
        await stop.CancelAsync();
        Func<Task> ended = async () => await next.AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await ended.Should().ThrowAsync<OperationCanceledException>();
    }
}
