namespace DfuSharp.Usb;

/// <summary>
/// An open USB device: control transfers, interface selection and reset. It knows USB, not DFU.
/// Implemented by the libusb transport and by simulated devices. Whoever opens a transport disposes it.
/// </summary>
/// <remarks>
/// Failures are reported as <see cref="UsbTransportException"/>: a STALL as <see cref="UsbError.Stall"/>,
/// a device that went away as <see cref="UsbError.NoDevice"/>, an expired timeout as <see cref="UsbError.Timeout"/>.
/// Cancellation is observed between transfers and, where the platform allows, during one; it throws
/// <see cref="OperationCanceledException"/>.
/// </remarks>
public interface IUsbTransport : IAsyncDisposable
{
    /// <summary>Gets the device this transport talks to, as it was when it was opened.</summary>
    UsbDeviceInfo Device { get; }

    /// <summary>Performs a control transfer with an IN (device → host) data stage.</summary>
    /// <param name="setup">The SETUP packet; bit 7 of bmRequestType must be set.</param>
    /// <param name="buffer">Receives the data; at least <see cref="UsbSetupPacket.Length"/> bytes.</param>
    /// <param name="timeout">How long the transfer may take.</param>
    /// <param name="cancellationToken">Cancels the transfer.</param>
    /// <returns>The number of bytes the device sent (a short reply is not an error).</returns>
    /// <exception cref="UsbTransportException">The transfer failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<int> ControlInAsync(UsbSetupPacket setup, Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Performs a control transfer with an OUT (host → device) data stage, or none.</summary>
    /// <param name="setup">The SETUP packet; bit 7 of bmRequestType must be clear and wLength must equal the data length.</param>
    /// <param name="data">The data to send.</param>
    /// <param name="timeout">How long the transfer may take.</param>
    /// <param name="cancellationToken">Cancels the transfer.</param>
    /// <returns>A task that completes when the status stage has completed.</returns>
    /// <exception cref="UsbTransportException">The transfer failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask ControlOutAsync(UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Claims an interface (detaching a kernel driver where the platform needs it).</summary>
    /// <param name="interfaceNumber">bInterfaceNumber.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the interface is claimed.</returns>
    /// <exception cref="UsbTransportException">The interface could not be claimed.</exception>
    ValueTask ClaimInterfaceAsync(byte interfaceNumber, CancellationToken cancellationToken = default);

    /// <summary>Selects an alternate setting of a claimed interface (SET_INTERFACE).</summary>
    /// <param name="interfaceNumber">bInterfaceNumber.</param>
    /// <param name="alternateSetting">bAlternateSetting.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the setting is selected.</returns>
    /// <exception cref="UsbTransportException">The device refused the setting.</exception>
    ValueTask SetAlternateSettingAsync(byte interfaceNumber, byte alternateSetting, CancellationToken cancellationToken = default);

    /// <summary>
    /// Resets the device on the bus. Afterwards this transport is dead: the device may re-enumerate with a new
    /// identity and must be found and opened again through <see cref="IUsbDeviceProvider"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the reset has been issued.</returns>
    /// <exception cref="UsbTransportException">The reset failed for a reason other than the device going away.</exception>
    ValueTask ResetAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads a string descriptor and decodes it.</summary>
    /// <param name="index">The string index (iManufacturer, iInterface, …); 0 yields <see langword="null"/>.</param>
    /// <param name="languageId">The language id; 0 means the device's first language.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The string, or <see langword="null"/> when the index is 0.</returns>
    /// <exception cref="UsbTransportException">The descriptor could not be read.</exception>
    ValueTask<string?> GetStringDescriptorAsync(byte index, ushort languageId = 0, CancellationToken cancellationToken = default);
}
