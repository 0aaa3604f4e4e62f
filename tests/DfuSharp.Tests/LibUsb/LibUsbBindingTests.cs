using DfuSharp.Usb;
using DfuSharp.LibUsb;

namespace DfuSharp.Tests.LibUsb;

public sealed class LibUsbBindingTests
{
    [LibUsbFact]
    public void GetLibraryVersion_Installed_IsAtLeast1020()
        => LibUsbDeviceProvider.GetLibraryVersion().IsAtLeast(1, 0, 20).Should().BeTrue();

    [LibUsbFact]
    public async Task EnumerateAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var provider = new LibUsbDeviceProvider();
        provider.Dispose();

        await FluentActions.Awaiting(() => provider.EnumerateAsync().AsTask()).Should().ThrowAsync<ObjectDisposedException>();
    }

    [LibUsbFact]
    public async Task WaitForDeviceAsync_NoMatchAndNoTimeLeft_ThrowsReenumerationTimeout()
    {
        using var provider = new LibUsbDeviceProvider();

        await FluentActions.Awaiting(() => provider.WaitForDeviceAsync(_ => false, TimeSpan.Zero).AsTask())
            .Should().ThrowAsync<DfuReenumerationTimeoutException>();
    }
}
