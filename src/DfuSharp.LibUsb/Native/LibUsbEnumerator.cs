using System.Collections.Immutable;
using DfuSharp.Usb;
using Microsoft.Extensions.Logging;

namespace DfuSharp.LibUsb.Native;

/// <summary>Reads what libusb knows about a device into a <see cref="UsbDeviceInfo"/>.</summary>
internal static unsafe class LibUsbEnumerator
{
    /// <summary>How long each descriptor request during enumeration may take.</summary>
    public const uint DescriptorTimeoutMilliseconds = 1000;

    /// <summary>One alternate setting as libusb reports it, before strings are read.</summary>
    private sealed record RawSetting(byte Interface, byte Number, byte Class, byte SubClass, byte Protocol, byte NameIndex, byte[] Extra);

    /// <summary>Describes one device. Devices with a DFU or HID interface are opened briefly to read their strings.</summary>
    /// <param name="context">The context the device belongs to.</param>
    /// <param name="device">The libusb_device pointer, kept alive by the caller's list.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>The device, or <see langword="null"/> when libusb cannot describe it (it left while being read).</returns>
    public static UsbDeviceInfo? Describe(LibUsbContextHandle context, nint device, ILogger logger)
    {
        if (LibUsbNative.GetDeviceDescriptor(device, out LibUsbDeviceDescriptor descriptor) < 0)
        {
            return null;
        }

        byte bus = LibUsbNative.GetBusNumber(device);
        byte address = LibUsbNative.GetDeviceAddress(device);
        byte* ports = stackalloc byte[LibUsbNative.MaxPortDepth];
        int depth = LibUsbNative.GetPortNumbers(device, ports, LibUsbNative.MaxPortDepth);
        string path = UsbDescriptors.FormatPortPath(bus, depth > 0 ? new ReadOnlySpan<byte>(ports, depth) : default);
        string display = $"{descriptor.VendorId:x4}:{descriptor.ProductId:x4} at {path}";

        var configurations = new List<(byte Value, byte[] Extra, List<RawSetting> Settings)>();
        var rawConfigurations = new List<ReadOnlyMemory<byte>>();
        for (byte index = 0; index < descriptor.NumConfigurations; index++)
        {
            try
            {
                using LibUsbConfigDescriptorHandle config = LibUsbConfigDescriptorHandle.Get(device, index, display);
                configurations.Add(ReadConfiguration((LibUsbConfigDescriptor*)config.Pointer));
                rawConfigurations.Add(SerializeConfiguration((LibUsbConfigDescriptor*)config.Pointer));
            }
            catch (UsbTransportException ex)
            {
                Log.StringsUnreadable(logger, display, ex.Message);
            }
        }

        bool wantsStrings = configurations.Any(c => c.Settings.Any(s => s.Class is UsbAlternateSettingInfo.DfuClass or UsbStandard.HidClass));
        var strings = new Dictionary<byte, string>();
        DfuFunctionalDescriptor? requested = null;
        if (wantsStrings)
        {
            bool needsFunctional = configurations.Any(c => c.Settings.Any(s => IsDfu(s) && Functional(c, s) is null));
            byte[] indexes = [descriptor.ManufacturerIndex, descriptor.ProductIndex, descriptor.SerialNumberIndex,
                .. configurations.SelectMany(c => c.Settings.Where(IsDfu).Select(s => s.NameIndex))];
            requested = ReadStrings(context, device, display, indexes, needsFunctional, strings, logger);
        }

        return new UsbDeviceInfo
        {
            VendorId = descriptor.VendorId,
            ProductId = descriptor.ProductId,
            DeviceVersion = descriptor.DeviceVersion,
            UsbVersion = descriptor.UsbVersion,
            MaxPacketSize0 = descriptor.MaxPacketSize0,
            Manufacturer = strings.GetValueOrDefault(descriptor.ManufacturerIndex),
            Product = strings.GetValueOrDefault(descriptor.ProductIndex),
            SerialNumber = strings.GetValueOrDefault(descriptor.SerialNumberIndex),
            BusNumber = bus,
            DeviceAddress = address,
            PortPath = path,
            Descriptors = ParseDescriptors(descriptor, rawConfigurations, display, logger),
            Configurations = configurations
                .Select(c => UsbDescriptors.BuildConfiguration(
                    c.Value,
                    c.Settings.Select(s => (s.Interface, new UsbAlternateSettingInfo
                    {
                        Number = s.Number,
                        InterfaceClass = s.Class,
                        InterfaceSubClass = s.SubClass,
                        InterfaceProtocol = s.Protocol,
                        Name = strings.GetValueOrDefault(s.NameIndex),
                        Dfu = IsDfu(s) ? Functional(c, s) ?? requested : null,
                        ExtraDescriptors = s.Extra,
                    }))))
                .ToImmutableArray(),
        };
    }

    private static bool IsDfu(RawSetting s) => s.Class == UsbAlternateSettingInfo.DfuClass && s.SubClass == UsbAlternateSettingInfo.DfuSubClass;

    private static DfuFunctionalDescriptor? Functional((byte Value, byte[] Extra, List<RawSetting> Settings) config, RawSetting setting)
        => UsbDescriptors.FindFunctionalDescriptor(
            setting.Extra,
            config.Settings.Where(o => o.Interface == setting.Interface && !ReferenceEquals(o, setting)).Select(o => (ReadOnlyMemory<byte>)o.Extra),
            config.Extra);

    private static (byte Value, byte[] Extra, List<RawSetting> Settings) ReadConfiguration(LibUsbConfigDescriptor* config)
    {
        var settings = new List<RawSetting>();
        for (int i = 0; i < config->NumInterfaces; i++)
        {
            var usbInterface = (LibUsbInterface*)config->Interfaces + i;
            for (int a = 0; a < usbInterface->NumAlternateSettings; a++)
            {
                var alt = (LibUsbInterfaceDescriptor*)usbInterface->AlternateSettings + a;
                settings.Add(new RawSetting(
                    alt->InterfaceNumber, alt->AlternateSetting, alt->InterfaceClass, alt->InterfaceSubClass,
                    alt->InterfaceProtocol, alt->InterfaceIndex, Copy(alt->Extra, alt->ExtraLength)));
            }
        }

        return (config->ConfigurationValue, Copy(config->Extra, config->ExtraLength), settings);
    }

    private static UsbDescriptorSet? ParseDescriptors(
        in LibUsbDeviceDescriptor descriptor, List<ReadOnlyMemory<byte>> configurations, string display, ILogger logger)
    {
        try
        {
            return UsbDescriptorSet.Parse(UsbDescriptors.SerializeDevice(descriptor), configurations);
        }
        catch (UsbDescriptorException ex)
        {
            // libusb accepted descriptors the strict parser does not: list the device without them.
            Log.StringsUnreadable(logger, display, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Writes a configuration back into its wire form from libusb's parsed copy: the configuration descriptor, its extra
    /// bytes, then per interface each alternate setting's descriptor, extra bytes and endpoints (each with its extra
    /// bytes), the order libusb's parser read them in (libusb's descriptor.c). libusb has no call that hands out the
    /// bytes it read (on Linux, from sysfs without opening the device), and opening a device to ask for them needs
    /// permissions a listing must not need. wTotalLength is the length written.
    /// </summary>
    private static byte[] SerializeConfiguration(LibUsbConfigDescriptor* config)
    {
        var bytes = new List<byte>(config->TotalLength);
        bytes.AddRange(UsbDescriptors.Pad(
            [config->Length, config->DescriptorType, 0, 0, config->NumInterfaces, config->ConfigurationValue,
             config->ConfigurationIndex, config->Attributes, config->MaxPower], config->Length));
        bytes.AddRange(Copy(config->Extra, config->ExtraLength));
        for (int i = 0; i < config->NumInterfaces; i++)
        {
            var usbInterface = (LibUsbInterface*)config->Interfaces + i;
            for (int a = 0; a < usbInterface->NumAlternateSettings; a++)
            {
                var alt = (LibUsbInterfaceDescriptor*)usbInterface->AlternateSettings + a;
                bytes.AddRange(UsbDescriptors.Pad(
                    [alt->Length, alt->DescriptorType, alt->InterfaceNumber, alt->AlternateSetting, alt->NumEndpoints,
                     alt->InterfaceClass, alt->InterfaceSubClass, alt->InterfaceProtocol, alt->InterfaceIndex], alt->Length));
                bytes.AddRange(Copy(alt->Extra, alt->ExtraLength));
                for (int e = 0; e < alt->NumEndpoints; e++)
                {
                    var endpoint = (LibUsbEndpointDescriptor*)alt->Endpoints + e;
                    byte[] fields = endpoint->Length >= 9
                        ? [endpoint->Length, endpoint->DescriptorType, endpoint->EndpointAddress, endpoint->Attributes,
                           (byte)endpoint->MaxPacketSize, (byte)(endpoint->MaxPacketSize >> 8), endpoint->Interval, endpoint->Refresh, endpoint->SynchAddress]
                        : [endpoint->Length, endpoint->DescriptorType, endpoint->EndpointAddress, endpoint->Attributes,
                           (byte)endpoint->MaxPacketSize, (byte)(endpoint->MaxPacketSize >> 8), endpoint->Interval];
                    bytes.AddRange(UsbDescriptors.Pad(fields, endpoint->Length));
                    bytes.AddRange(Copy(endpoint->Extra, endpoint->ExtraLength));
                }
            }
        }

        byte[] raw = [.. bytes];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(2), (ushort)raw.Length);
        return raw;
    }

    private static byte[] Copy(nint pointer, int length)
        => pointer == 0 || length <= 0 ? [] : new ReadOnlySpan<byte>((void*)pointer, length).ToArray();

    private static DfuFunctionalDescriptor? ReadStrings(
        LibUsbContextHandle context, nint device, string display, byte[] indexes, bool needsFunctional,
        Dictionary<byte, string> strings, ILogger logger)
    {
        try
        {
            using LibUsbDeviceHandle referenced = LibUsbDeviceHandle.AddRef(context, device);
            using LibUsbOpenHandle handle = LibUsbOpenHandle.Open(referenced, display);
            ushort language = LibUsbDeviceIo.GetFirstLanguageId(handle, DescriptorTimeoutMilliseconds, display);
            foreach (byte index in indexes.Where(i => i != 0).Distinct())
            {
                try
                {
                    byte[] raw = LibUsbDeviceIo.GetDescriptor(
                        handle, UsbStandard.StringDescriptor, index, language, DescriptorTimeoutMilliseconds, display);
                    strings[index] = UsbDescriptorParser.DecodeString(raw, out bool wasUtf8);
                    if (wasUtf8)
                    {
                        Log.Utf8String(logger, display, index);
                    }
                }
                catch (UsbTransportException ex) when (ex.Error == UsbError.Stall)
                {
                    // A stalled string leaves that one string unknown; the others are still worth reading.
                }
            }

            if (needsFunctional)
            {
                Log.FunctionalDescriptorRequested(logger, display);
                try
                {
                    byte[] raw = LibUsbDeviceIo.GetDescriptor(
                        handle, DfuFunctionalDescriptor.DescriptorType, 0, 0, DescriptorTimeoutMilliseconds, display);
                    return UsbDescriptors.ParseRequestedFunctionalDescriptor(raw);
                }
                catch (UsbTransportException ex) when (ex.Error == UsbError.Stall)
                {
                    return null;
                }
            }
        }
        catch (UsbTransportException ex)
        {
            // No permission (udev rule missing), no WinUSB driver, or the device left: list it without strings.
            Log.StringsUnreadable(logger, display, ex.Message);
        }

        return null;
    }

    /// <summary>Reads every device of a context.</summary>
    /// <param name="context">The context.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>The devices ordered by bus and port path, each with the libusb bus number and address that find it again.</returns>
    public static List<UsbDeviceInfo> DescribeAll(LibUsbContextHandle context, ILogger logger)
    {
        using LibUsbDeviceListHandle list = LibUsbDeviceListHandle.Create(context);
        var devices = new List<UsbDeviceInfo>(list.Count);
        for (int i = 0; i < list.Count; i++)
        {
            if (Describe(context, list[i], logger) is { } info)
            {
                devices.Add(info);
            }
        }

        return devices
            .OrderBy(d => d.BusNumber)
            .ThenBy(d => d.PortPath, StringComparer.Ordinal)
            .ThenBy(d => d.DeviceAddress)
            .ToList();
    }

    /// <summary>Finds a device by bus number and address and takes a reference on it.</summary>
    /// <param name="context">The context.</param>
    /// <param name="busNumber">The bus number.</param>
    /// <param name="address">The device address.</param>
    /// <returns>The referenced device, or <see langword="null"/> when it is gone.</returns>
    public static LibUsbDeviceHandle? Find(LibUsbContextHandle context, int busNumber, int address)
    {
        using LibUsbDeviceListHandle list = LibUsbDeviceListHandle.Create(context);
        for (int i = 0; i < list.Count; i++)
        {
            nint device = list[i];
            if (LibUsbNative.GetBusNumber(device) == busNumber && LibUsbNative.GetDeviceAddress(device) == address)
            {
                return LibUsbDeviceHandle.AddRef(context, device);
            }
        }

        return null;
    }
}
