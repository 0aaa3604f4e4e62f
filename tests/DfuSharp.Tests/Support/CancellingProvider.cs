using DfuSharp.Usb;

namespace DfuSharp.Tests.Support;

/// <summary>A provider whose transports cancel a token right after a chosen control-out request was sent, as a user
/// pressing Ctrl+C while the device works on it.</summary>
internal sealed class CancellingProvider(IUsbDeviceProvider inner, Func<UsbSetupPacket, ReadOnlyMemory<byte>, bool> after, CancellationTokenSource cancellation)
    : IUsbDeviceProvider
{
    public ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default) => inner.EnumerateAsync(cancellationToken);

    public async ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default)
        => new Transport(await inner.OpenAsync(device, cancellationToken).ConfigureAwait(false), after, cancellation);

    public TimeProvider TimeProvider => inner.TimeProvider;

    public ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        => inner.WaitForArrivalAsync(timeout, cancellationToken);

    private sealed class Transport(IUsbTransport inner, Func<UsbSetupPacket, ReadOnlyMemory<byte>, bool> after, CancellationTokenSource cancellation) : IUsbTransport
    {
        public UsbDeviceInfo Device => inner.Device;

        public ValueTask<int> ControlInAsync(UsbSetupPacket setup, Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
            => inner.ControlInAsync(setup, buffer, timeout, cancellationToken);

        public async ValueTask ControlOutAsync(UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            await inner.ControlOutAsync(setup, data, timeout, cancellationToken).ConfigureAwait(false);
            if (after(setup, data))
            {
                await cancellation.CancelAsync().ConfigureAwait(false);
            }
        }

        public ValueTask ClaimInterfaceAsync(byte interfaceNumber, CancellationToken cancellationToken = default) => inner.ClaimInterfaceAsync(interfaceNumber, cancellationToken);

        public ValueTask SetAlternateSettingAsync(byte interfaceNumber, byte alternateSetting, CancellationToken cancellationToken = default)
            => inner.SetAlternateSettingAsync(interfaceNumber, alternateSetting, cancellationToken);

        public ValueTask ResetAsync(CancellationToken cancellationToken = default) => inner.ResetAsync(cancellationToken);

        public ValueTask<string?> GetStringDescriptorAsync(byte index, ushort languageId = 0, CancellationToken cancellationToken = default)
            => inner.GetStringDescriptorAsync(index, languageId, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
