using System.Buffers.Binary;
using System.Collections.Immutable;
using DfuSharp.Usb;

namespace DfuSharp;

/// <content>
/// The USB standard descriptors and string descriptors of the open device: what ST's AN1603 reads with
/// STDFU_GetDeviceDescriptor, STDFU_GetConfigurationDescriptor, STDFU_GetInterfaceDescriptor and
/// STDFU_GetStringDescriptor.
/// </content>
public sealed partial class DfuDevice
{
    /// <summary>
    /// Gets the device's standard descriptors as the provider enumerated them (see <see cref="UsbDeviceInfo.Descriptors"/>),
    /// or <see langword="null"/> when the provider could not read them; <see cref="ReadDescriptorsAsync"/> asks the device.
    /// </summary>
    public UsbDescriptorSet? UsbDescriptors => Info.Descriptors;

    /// <summary>
    /// Reads the device descriptor and every configuration from the device itself (GET_DESCRIPTOR, USB 2.0 §9.4.3): the
    /// 18-byte device descriptor, then for each of its bNumConfigurations the 9-byte configuration descriptor and then
    /// its wTotalLength bytes, as hosts do during enumeration.
    /// </summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The descriptors.</returns>
    /// <exception cref="UsbDescriptorException">A descriptor is malformed.</exception>
    /// <exception cref="UsbTransportException">A request failed.</exception>
    /// <exception cref="InvalidOperationException">The session is closed, or another operation is running.</exception>
    public Task<UsbDescriptorSet> ReadDescriptorsAsync(CancellationToken cancellationToken = default)
        => ExclusiveAsync(async () =>
        {
            byte[] device = await GetDescriptorAsync(UsbStandard.DeviceDescriptor, 0, 0, UsbDeviceDescriptor.Size, cancellationToken).ConfigureAwait(false);
            UsbDeviceDescriptor parsed = UsbDescriptorParser.ParseDevice(device);
            var configurations = ImmutableArray.CreateBuilder<UsbConfigurationDescriptor>(parsed.bNumConfigurations);
            for (byte index = 0; index < parsed.bNumConfigurations; index++)
            {
                byte[] header = await GetDescriptorAsync(UsbStandard.ConfigurationDescriptor, index, 0, UsbConfigurationDescriptor.Size, cancellationToken).ConfigureAwait(false);
                ushort total = header.Length >= 4 ? BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(2)) : (ushort)header.Length;
                byte[] all = await GetDescriptorAsync(UsbStandard.ConfigurationDescriptor, index, 0, Math.Max(total, (ushort)UsbConfigurationDescriptor.Size), cancellationToken).ConfigureAwait(false);
                configurations.Add(UsbDescriptorParser.ParseConfiguration(all));
            }

            return new UsbDescriptorSet(parsed, configurations.MoveToImmutable());
        });

    /// <summary>Reads string descriptor 0: the language ids (LANGIDs) the device's strings come in (USB 2.0 §9.6.7).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The language ids in the device's order (0x0409 is English, United States); empty when it lists none.</returns>
    /// <exception cref="UsbDescriptorException">The reply is malformed.</exception>
    /// <exception cref="UsbTransportException">The request failed (a device without strings stalls it).</exception>
    /// <exception cref="InvalidOperationException">The session is closed, or another operation is running.</exception>
    public Task<ImmutableArray<ushort>> GetLanguageIdsAsync(CancellationToken cancellationToken = default)
        => ExclusiveAsync(async () =>
        {
            byte[] reply = await GetDescriptorAsync(UsbStandard.StringDescriptor, 0, 0, UsbStandard.MaxDescriptorLength, cancellationToken).ConfigureAwait(false);
            return UsbDescriptorParser.ParseLanguageIds(reply);
        });

    /// <summary>
    /// Reads a string descriptor by index and language (USB 2.0 §9.6.7): iManufacturer, iProduct, iSerialNumber,
    /// iConfiguration, iInterface (a DfuSe memory layout) or a vendor index such as a DFU status's iString.
    /// </summary>
    /// <param name="index">The string index; 0 gives <see langword="null"/> (use <see cref="GetLanguageIdsAsync"/> for string 0).</param>
    /// <param name="languageId">The LANGID; 0 means the device's first language.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The text, or <see langword="null"/> for index 0.</returns>
    /// <exception cref="UsbTransportException">The request failed (a missing string stalls).</exception>
    /// <exception cref="InvalidOperationException">The session is closed, or another operation is running.</exception>
    public Task<string?> GetStringDescriptorAsync(byte index, ushort languageId = 0, CancellationToken cancellationToken = default)
        => ExclusiveAsync(async () => await Transport.GetStringDescriptorAsync(index, languageId, cancellationToken).ConfigureAwait(false));

    private async Task<byte[]> GetDescriptorAsync(byte type, byte index, ushort languageId, int length, CancellationToken cancellationToken)
    {
        var setup = new UsbSetupPacket(
            UsbSetupPacket.MakeRequestType(deviceToHost: true, UsbRequestType.Standard, UsbRecipient.Device),
            UsbStandard.GetDescriptorRequest,
            (ushort)((type << 8) | index),
            languageId,
            (ushort)length);
        byte[] buffer = new byte[length];
        int received = await Transport.ControlInAsync(setup, buffer, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        return buffer[..received];
    }

    // Descriptor reads are standard requests outside the DFU state machine: they take the one-operation-at-a-time guard
    // (so they never interleave with a download), but need no recovery to dfuIDLE when they fail.
    private async Task<T> ExclusiveAsync<T>(Func<Task<T>> body)
    {
        _ = Transport;
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException($"Another operation is running on {Info.DisplayName}; wait for it to finish.");
        }

        try
        {
            return await body().ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}
