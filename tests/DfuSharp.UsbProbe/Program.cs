using System.Globalization;
using DfuSharp;
using DfuSharp.Formats;
using DfuSharp.LibUsb;
using DfuSharp.Usb;

namespace DfuSharp.UsbProbe;

/// <summary>
/// A small libusb client for the emulator tests. Each command prints <c>key=value</c> lines on stdout and exits 0,
/// or prints <c>error=KIND</c> and <c>message=…</c> and exits 1 when a <see cref="DfuException"/> escapes.
/// </summary>
internal static class Program
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(2);

    public static async Task<int> Main(string[] args)
    {
        // PROBE_POLL=1 waits for re-enumeration by polling, as on Windows where libusb has no hotplug events.
        using var provider = new LibUsbDeviceProvider(new LibUsbDeviceProviderOptions
        {
            UseHotplug = Environment.GetEnvironmentVariable("PROBE_POLL") != "1",
        });
        try
        {
            return args switch
            {
                ["version"] => Version(),
                ["list"] => await ListAsync(provider),
                ["control", string setup, ..] => await ControlAsync(provider, Setup(setup), args.Length > 2 ? Convert.FromHexString(args[2]) : []),
                ["reset-and-wait", string vidPid] => await ResetAndWaitAsync(provider, vidPid),
                ["detach-and-wait", string vidPid] => await DetachAndWaitAsync(provider, vidPid),
                ["wait", string vidPid, string ms] => await WaitAsync(provider, vidPid, int.Parse(ms, CultureInfo.InvariantCulture)),
                ["download", string path, .. string[] rest] => await DownloadAsync(provider, path, Options(rest)),
                ["upload", string path, .. string[] rest] => await UploadAsync(provider, path, Options(rest)),
                ["mass-erase", .. string[] rest] => await MassEraseAsync(provider, Options(rest)),
                ["leave", .. string[] rest] => await LeaveAsync(provider, Options(rest)),
                ["detach", .. string[] rest] => await DetachAsync(provider, Options(rest)),
                ["status", .. string[] rest] => await StatusAsync(provider, Options(rest)),
                ["model", string profile, .. string[] quirks] => await QuirkyDeviceModel.RunAsync(profile, quirks),
                _ => Usage(),
            };
        }
        catch (Exception ex) when (ex is DfuException or NotSupportedException)
        {
            Console.WriteLine($"error={(ex is UsbTransportException usb ? usb.Error.ToString() : ex.GetType().Name)}");
            Console.WriteLine($"inner={(ex.InnerException is UsbTransportException inner ? inner.Error.ToString() : ex.InnerException?.GetType().Name)}");
            Console.WriteLine($"message={ex.Message}");
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine(
            "usage: DfuSharp.UsbProbe version | list | control SETUPHEX [OUTHEX] | reset-and-wait VID:PID | detach-and-wait VID:PID | wait VID:PID MS"
            + " | download FILE [address=A] [verify] [leave] | upload FILE [address=A] [length=N] | mass-erase | leave | detach | status"
            + " | model PROFILE [no-functional] [utf8-serial]");
        return 64;
    }

    private static int Version()
    {
        Console.WriteLine($"libusb={LibUsbDeviceProvider.GetLibraryVersion()}");
        return 0;
    }

    private static async Task<int> ListAsync(LibUsbDeviceProvider provider)
    {
        foreach (UsbDeviceInfo device in await provider.EnumerateAsync())
        {
            Console.WriteLine($"device={device.VendorId:x4}:{device.ProductId:x4} bcd={device.DeviceVersion:x4} path={device.PortPath} address={device.DeviceAddress}");
            Console.WriteLine($"manufacturer={device.Manufacturer}");
            Console.WriteLine($"product={device.Product}");
            Console.WriteLine($"serial={device.SerialNumber}");
            foreach (DfuInterfaceInfo dfu in device.DfuInterfaces)
            {
                DfuFunctionalDescriptor? f = dfu.Setting.Dfu;
                Console.WriteLine(
                    $"dfu=cfg {dfu.ConfigurationValue} intf {dfu.InterfaceNumber} alt {dfu.Setting.Number} mode {dfu.Setting.Mode} " +
                    $"attrs {(f is null ? "none" : ((byte)f.Attributes).ToString("x2", CultureInfo.InvariantCulture))} " +
                    $"transfer {f?.TransferSize} version {f?.DfuVersion:x4} name \"{dfu.Setting.Name}\"");
            }

            foreach (UsbConfigurationInfo config in device.Configurations)
            {
                foreach (UsbInterfaceInfo usbInterface in config.Interfaces)
                {
                    foreach (UsbAlternateSettingInfo hid in usbInterface.AlternateSettings.Where(a => a.InterfaceClass == UsbStandard.HidClass))
                    {
                        Console.WriteLine(
                            $"hid=cfg {config.Value} intf {usbInterface.Number} alt {hid.Number} dfu {(hid.Dfu is null ? "none" : "parsed")} "
                            + $"report-descriptor {DfuSharp.Hid.HidRequests.FindReportDescriptorLength(hid.ExtraDescriptors.Span)}");
                    }
                }
            }
        }

        return 0;
    }

    private static UsbSetupPacket Setup(string hex) => UsbSetupPacket.Read(Convert.FromHexString(hex));

    private static async Task<UsbDeviceInfo> FirstDfuAsync(LibUsbDeviceProvider provider)
        => (await provider.EnumerateAsync()).FirstOrDefault(d => d.DfuInterfaces.Any())
           ?? throw new DfuDeviceNotFoundException("No DFU device is present.");

    private static async Task<int> ControlAsync(LibUsbDeviceProvider provider, UsbSetupPacket setup, byte[] data)
    {
        UsbDeviceInfo device = await FirstDfuAsync(provider);
        await using IUsbTransport transport = await provider.OpenAsync(device);
        await transport.ClaimInterfaceAsync(device.DfuInterfaces.First().InterfaceNumber);
        if (setup.IsDeviceToHost)
        {
            byte[] buffer = new byte[setup.Length];
            int count = await transport.ControlInAsync(setup, buffer, s_timeout);
            Console.WriteLine($"in={Convert.ToHexString(buffer, 0, count)}");
        }
        else
        {
            await transport.ControlOutAsync(setup, data, s_timeout);
            Console.WriteLine("out=ok");
        }

        return 0;
    }

    private static (ushort Vid, ushort Pid) ParseVidPid(string text)
    {
        string[] parts = text.Split(':');
        return (ushort.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), ushort.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    private static async Task<int> ResetAndWaitAsync(LibUsbDeviceProvider provider, string vidPid)
    {
        UsbDeviceInfo device = await FirstDfuAsync(provider);
        await using (IUsbTransport transport = await provider.OpenAsync(device))
        {
            await transport.ResetAsync();
            try
            {
                await transport.ControlInAsync(new UsbSetupPacket(0xA1, 3, 0, 0, 6), new byte[6], s_timeout);
                Console.WriteLine("after-reset=usable");
            }
            catch (UsbTransportException ex)
            {
                Console.WriteLine($"after-reset={ex.Error}");
            }
        }

        return await WaitAsync(provider, vidPid, 5000);
    }

    private static async Task<int> DetachAndWaitAsync(LibUsbDeviceProvider provider, string vidPid)
    {
        UsbDeviceInfo device = await FirstDfuAsync(provider);
        await using (IUsbTransport transport = await provider.OpenAsync(device))
        {
            await transport.ClaimInterfaceAsync(device.DfuInterfaces.First().InterfaceNumber);
            await transport.ControlOutAsync(new UsbSetupPacket(0x21, 0, 1000, 0, 0), ReadOnlyMemory<byte>.Empty, s_timeout);
            Console.WriteLine("detach=sent");
        }

        return await WaitAsync(provider, vidPid, 5000);
    }

    private static async Task<int> WaitAsync(LibUsbDeviceProvider provider, string vidPid, int milliseconds)
    {
        (ushort vid, ushort pid) = ParseVidPid(vidPid);
        UsbDeviceInfo found = await provider.WaitForDeviceAsync(d => d.VendorId == vid && d.ProductId == pid, TimeSpan.FromMilliseconds(milliseconds));
        Console.WriteLine($"found={found.VendorId:x4}:{found.ProductId:x4} path={found.PortPath} address={found.DeviceAddress} serial={found.SerialNumber}");
        return 0;
    }

    private static Dictionary<string, string> Options(string[] rest)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string option in rest)
        {
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            options[eq < 0 ? option : option[..eq]] = eq < 0 ? "true" : option[(eq + 1)..];
        }

        return options;
    }

    private static uint? Number(Dictionary<string, string> options, string key)
        => options.TryGetValue(key, out string? text)
            ? text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? uint.Parse(text.AsSpan(2).ToString().Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : uint.Parse(text, CultureInfo.InvariantCulture)
            : null;

    private static async Task<DfuDevice> OpenAsync(LibUsbDeviceProvider provider, Dictionary<string, string> options)
    {
        DfuDeviceSelector selector = options.TryGetValue("device", out string? text) ? DfuDeviceSelector.Parse(text) : new DfuDeviceSelector();
        TimeSpan requestTimeout = Number(options, "timeout") is uint ms ? TimeSpan.FromMilliseconds(ms) : TimeSpan.FromSeconds(5);
        return await DfuDevice.OpenAsync(
            provider,
            selector,
            new DfuDeviceOptions { ReenumerationTimeout = TimeSpan.FromSeconds(5), RequestTimeout = requestTimeout, SlowRequestTimeout = requestTimeout });
    }

    private static async Task<int> DownloadAsync(LibUsbDeviceProvider provider, string path, Dictionary<string, string> options)
    {
        byte[] bytes = await File.ReadAllBytesAsync(path);
        DfuFile file = path.EndsWith(".dfu", StringComparison.OrdinalIgnoreCase) ? DfuFile.Read(bytes) : new DfuFile { Firmware = bytes };
        await using DfuDevice device = await OpenAsync(provider, options);
        DownloadResult result = await device.DownloadAsync(file, new DownloadOptions
        {
            Address = Number(options, "address"),
            Verify = options.ContainsKey("verify"),
            Leave = options.ContainsKey("leave"),
            Erase = options.ContainsKey("mass") ? DfuSharp.Planning.DfuSeEraseMode.Mass : DfuSharp.Planning.DfuSeEraseMode.Sectors,
            Force = options.ContainsKey("force"),
        });
        Console.WriteLine($"verified={result.Verified}");
        Console.WriteLine($"outcome={result.Outcome}");
        return 0;
    }

    private static async Task<int> UploadAsync(LibUsbDeviceProvider provider, string path, Dictionary<string, string> options)
    {
        await using DfuDevice device = await OpenAsync(provider, options);
        byte[] data = await device.UploadAsync(new UploadOptions { Address = Number(options, "address"), Length = Number(options, "length") });
        await File.WriteAllBytesAsync(path, data);
        Console.WriteLine($"uploaded={data.Length}");
        return 0;
    }

    private static async Task<int> MassEraseAsync(LibUsbDeviceProvider provider, Dictionary<string, string> options)
    {
        await using DfuDevice device = await OpenAsync(provider, options);
        await device.DfuSe.MassEraseAsync();
        Console.WriteLine("erased=all");
        return 0;
    }

    private static async Task<int> LeaveAsync(LibUsbDeviceProvider provider, Dictionary<string, string> options)
    {
        await using DfuDevice device = await OpenAsync(provider, options);
        Console.WriteLine($"outcome={await device.DfuSe.LeaveAsync(Number(options, "address"))}");
        return 0;
    }

    private static async Task<int> DetachAsync(LibUsbDeviceProvider provider, Dictionary<string, string> options)
    {
        await using DfuDevice device = await OpenAsync(provider, options);
        if (device.HidDetach is { } report)
        {
            Console.WriteLine($"hid-detach=id {report.ReportId:x2} {report.Type} length {report.Length}");
        }

        await device.DetachAsync();
        Console.WriteLine($"hotplug={provider.HasHotplug && Environment.GetEnvironmentVariable("PROBE_POLL") != "1"}");
        Console.WriteLine($"mode={device.Mode}");
        Console.WriteLine($"found={device.Info.VendorId:x4}:{device.Info.ProductId:x4} path={device.Info.PortPath} serial={device.Info.SerialNumber}");
        return 0;
    }

    private static async Task<int> StatusAsync(LibUsbDeviceProvider provider, Dictionary<string, string> options)
    {
        await using DfuDevice device = await OpenAsync(provider, options);
        (DfuSharp.Protocol.DfuStatusReport report, _) = await device.GetStatusAsync();
        Console.WriteLine($"state={report.State}");
        Console.WriteLine($"status={report.Status}");
        return 0;
    }
}
