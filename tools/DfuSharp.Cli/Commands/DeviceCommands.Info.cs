using System.Collections.Immutable;
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.DfuSe;
using DfuSharp.Hid;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Commands;

/// <content><c>info</c>: a device's descriptors, layout, state and DfuSe commands.</content>
internal static partial class DeviceCommands
{
    private static Command CreateInfo(CliContext context)
    {
        var set = new DeviceOptionSet();
        var command = set.AddManyTo(set.AddTo(new Command("info", "Show a device's descriptors, DfuSe memory layout, state and DfuSe commands; with --all or several --device, of many boards.")));
        command.SetAction(async (parse, ct) =>
        {
            ManyRequest many = set.Many(parse);
            bool json = parse.GetValue(set.Json);
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            if (many.IsMany || many.JsonLines)
            {
                IReadOnlyList<UsbDeviceInfo> boards = await bus.ListBoardsAsync(many.All, ct).ConfigureAwait(false);
                return await ManyBoards.RunAsync(context, "info", bus, boards, many, json, async (board, device, token) =>
                {
                    (InfoJson info, UsbDescriptorsJson? descriptors) = await InfoOnBoardAsync(device, token).ConfigureAwait(false);
                    string line = $"{info.Device.Mode} mode, {info.AlternateSettings.Count} alternate setting(s)"
                                  + (info.State is null ? string.Empty : $", {info.State}");
                    return new BoardOutcome<JsonObject>(InfoNode(info, descriptors), ExitCodes.Ok, line);
                }, CliJson.Context.JsonObject, ct).ConfigureAwait(false);
            }

            DfuDevice device = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (device.ConfigureAwait(false))
            {
                (InfoJson info, UsbDescriptorsJson? descriptors) = await InfoOnBoardAsync(device, ct).ConfigureAwait(false);
                if (json)
                {
                    context.Out.WriteLine(InfoNode(info, descriptors).ToJsonString(CliJson.Context.Options));
                    return ExitCodes.Ok;
                }

                WriteInfo(context.Out, info);
                WriteDescriptors(context.Out, descriptors);
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    // One board's info: the status and DfuSe commands of a DFU-mode board, its alternate settings and descriptors.
    private static async Task<(InfoJson Info, UsbDescriptorsJson? Descriptors)> InfoOnBoardAsync(DfuDevice device, CancellationToken ct)
    {
        string? state = null;
        string? status = null;
        ImmutableArray<DfuSeCommand>? commands = null;
        if (device.Mode == DfuMode.Dfu)
        {
            (DfuStatusReport report, string? text) = await device.GetStatusAsync(ct).ConfigureAwait(false);
            state = report.State.ToSpecName();
            status = report.Status.ToSpecName() + (text is { Length: > 0 } ? $" ({text})" : string.Empty);
            if (device.IsDfuSe)
            {
                commands = await device.DfuSe.GetCommandsAsync(ct).ConfigureAwait(false);
            }
        }

        DfuFunctionalDescriptor d = device.Descriptor;
        HidDetachReport? hid = device.HidDetach;
        var info = new InfoJson(
            DeviceJson.From(device.Info, device.Mode),
            hid is null ? new DescriptorJson(d.CanDownload, d.CanUpload, d.ManifestationTolerant, d.WillDetach, d.DetachTimeout, d.TransferSize, d.DfuVersion, d.IsDfuSe) : null,
            device.Interface.InterfaceNumber, device.Interface.Setting.Number,
            [.. device.AlternateSettings.Select(Alternate)],
            state, status, commands?.Select(CommandName).ToArray(),
            hid is null ? null : new HidDetachJson(hid.ReportId, hid.Type.ToString().ToLowerInvariant(), hid.Length));
        return (info, await DescriptorsAsync(device, ct).ConfigureAwait(false));
    }

    // The info --json object: InfoJson with the standard descriptors beside it.
    private static JsonObject InfoNode(InfoJson info, UsbDescriptorsJson? descriptors)
    {
        JsonObject json = JsonSerializer.SerializeToNode(info, CliJson.Context.InfoJson)!.AsObject();
        json["descriptors"] = descriptors is null ? null : JsonSerializer.SerializeToNode(descriptors, DescriptorJsonContext.Relaxed.UsbDescriptorsJson);
        return json;
    }

    /// <summary>
    /// The device's standard descriptors for <c>info</c>, with each interface's string: the enumerated name, else read
    /// from the device (the libusb listing reads the strings of DFU interfaces only). A string the device refuses is
    /// left out; descriptors the provider could not read give <see langword="null"/>.
    /// </summary>
    private static async Task<UsbDescriptorsJson?> DescriptorsAsync(DfuDevice device, CancellationToken ct)
    {
        if (device.UsbDescriptors is not { } descriptors)
        {
            return null;
        }

        var names = new Dictionary<(byte, byte, byte), string?>();
        foreach (UsbConfigurationDescriptor configuration in descriptors.Configurations)
        {
            foreach (UsbInterfaceDescriptor i in configuration.Interfaces)
            {
                string? name = device.Info.Configurations
                    .Where(c => c.Value == configuration.bConfigurationValue)
                    .SelectMany(c => c.Interfaces.Where(n => n.Number == i.bInterfaceNumber))
                    .SelectMany(n => n.AlternateSettings.Where(a => a.Number == i.bAlternateSetting))
                    .Select(a => a.Name)
                    .FirstOrDefault();
                if (name is null && i.iInterface != 0)
                {
                    try
                    {
                        name = await device.GetStringDescriptorAsync(i.iInterface, cancellationToken: ct).ConfigureAwait(false);
                    }
                    catch (UsbTransportException)
                    {
                        // A string the device will not give stays unknown; the numbers are still worth showing.
                    }
                }

                names[(configuration.bConfigurationValue, i.bInterfaceNumber, i.bAlternateSetting)] = name;
            }
        }

        return UsbDescriptorsJson.From(descriptors, i => names.GetValueOrDefault(
            (descriptors.Configurations.First(c => c.Interfaces.Contains(i)).bConfigurationValue, i.bInterfaceNumber, i.bAlternateSetting)));
    }

    private static void WriteDescriptors(TextWriter o, UsbDescriptorsJson? descriptors)
    {
        if (descriptors is null)
        {
            return;
        }

        UsbDeviceDescriptorJson d = descriptors.Device;
        o.WriteLine($"USB:         bcdUSB 0x{d.BcdUsb:X4}, class {d.DeviceClass}/{d.DeviceSubClass}/{d.DeviceProtocol}, "
                    + $"bMaxPacketSize0 {d.MaxPacketSize0}, bcdDevice 0x{d.DeviceRelease:X4}, {d.ConfigurationCount} configuration(s)");
        foreach (UsbConfigurationJson c in descriptors.Configurations)
        {
            o.WriteLine($"Configuration {c.ConfigurationValue}: bmAttributes 0x{c.Attributes:X2}, bMaxPower {c.MaxPower * 2} mA, {c.Interfaces.Count} interface setting(s)");
            foreach (UsbInterfaceJson i in c.Interfaces)
            {
                o.WriteLine($"  interface {i.InterfaceNumber} alt {i.AlternateSetting}: class 0x{i.InterfaceClass:X2}/0x{i.InterfaceSubClass:X2}/0x{i.InterfaceProtocol:X2}"
                            + (i.Name is null ? string.Empty : $" \"{i.Name}\""));
            }
        }
    }

    private static void WriteInfo(TextWriter o, InfoJson info)
    {
        o.WriteLine($"Device:      {DeviceLine(info.Device)}");
        if (info.Device.Manufacturer is { } manufacturer)
        {
            o.WriteLine($"Maker:       {manufacturer}");
        }

        if (info.HidDetach is { } hid)
        {
            o.WriteLine($"Interface:   {info.Interface}, a HID application with no DFU interface");
            o.WriteLine($"HID detach:  report 0x{hid.ReportId:X2} ({hid.Type}, {hid.Length} byte(s)) on usage page 0xFF00, usage 0x55 (ST DfuSe); "
                        + "`dfusharp detach` switches it to DFU mode");
            return;
        }

        DescriptorJson d = info.Descriptor!;

        o.WriteLine($"Interface:   {info.Interface}, alternate setting {info.AlternateSetting}");
        var attributes = new List<string>();
        if (d.CanDownload)
        {
            attributes.Add("bitCanDnload");
        }

        if (d.CanUpload)
        {
            attributes.Add("bitCanUpload");
        }

        if (d.ManifestationTolerant)
        {
            attributes.Add("bitManifestationTolerant");
        }

        if (d.WillDetach)
        {
            attributes.Add("bitWillDetach");
        }

        o.WriteLine($"DFU:         bcdDFUVersion 0x{d.DfuVersion:X4}{(d.DfuSe ? " (DfuSe)" : string.Empty)}, wTransferSize {d.TransferSize}, wDetachTimeOut {d.DetachTimeout} ms");
        o.WriteLine($"Attributes:  {(attributes.Count == 0 ? "none" : string.Join(' ', attributes))}");
        if (info.State is not null)
        {
            o.WriteLine($"State:       {info.State}, status {info.Status}");
        }

        if (info.DfuSeCommands is { } commands)
        {
            o.WriteLine($"DfuSe:       {string.Join(", ", commands)}");
        }

        o.WriteLine("Alternate settings:");
        foreach (AlternateSettingJson alt in info.AlternateSettings)
        {
            o.WriteLine($"  {alt.AlternateSetting}: {alt.Name ?? "(no name)"}");
            foreach (RegionJson region in alt.Layout?.Regions ?? [])
            {
                string sectors = string.Join(", ", region.Sectors.Select(s =>
                    $"{s.Count} x {Size(s.Size)} {(s.Readable ? "r" : "-")}{(s.Erasable ? "e" : "-")}{(s.Writable ? "w" : "-")}"));
                o.WriteLine($"       0x{region.Address:X8}-0x{region.Address + region.Length - 1:X8} ({Size(region.Length)}): {sectors}");
            }
        }
    }
}
