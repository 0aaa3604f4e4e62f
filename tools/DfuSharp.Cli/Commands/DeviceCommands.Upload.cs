using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;

using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Commands;

/// <content><c>upload</c>: read firmware from a device.</content>
internal static partial class DeviceCommands
{
    private static Command CreateUpload(CliContext context)
    {
        var set = new DeviceOptionSet();
        var file = CliOptions.File("FILE", "Where to write what was read; the extension chooses the format: .bin, .hex, .srec or .dfu.");
        var address = CliOptions.UInt32("--address", "DfuSe: the first address to read (default: the start of the memory).");
        var length = CliOptions.UInt32("--length", "How many bytes to read (default: DfuSe, to the end of the region; plain DFU, until the device sends a short block).", "N");
        var allowShort = new Option<bool>("--allow-short") { Description = "Exit 0 when the device sends fewer bytes than --length asks (or none): the file holds what was read, with a warning." };
        var command = set.AddTo(new Command("upload", "Read firmware from a device (device → host), like dfu-util -U.") { file, address, length, allowShort });
        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetRequiredValue(file);
            FirmwareKind kind = FirmwareOutput.KindOf(path);
            uint? count = parse.GetValue(length);
            if (count is 0 or > int.MaxValue)
            {
                throw CliException.Usage($"--length: {count} is out of range; read 1 to {int.MaxValue} bytes");
            }

            // Fail before the device is read, not after minutes of reading.
            CliFiles.CheckWritable(path);
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            DfuDevice device = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (device.ConfigureAwait(false))
            {
                uint? at = parse.GetValue(address);
                if (at is not null && !device.IsDfuSe)
                {
                    throw CliException.Usage("--address applies only to DfuSe devices; a plain DFU device is read from its start");
                }

                long start = context.Devices.TimeProvider.GetTimestamp();
                var options = new UploadOptions { Address = at, Length = count };
                byte[] data;
                try
                {
                    data = await CliProgress.RunAsync(context, p => device.UploadAsync(options, p, ct)).ConfigureAwait(false);
                }
                catch (ArgumentOutOfRangeException ex)
                {
                    // A range outside the memory layout is a data error, as for erase and download.
                    throw new CliException(ExitCodes.DataError, CliErrors.WithoutParameter(ex));
                }

                byte alt = device.Interface.Setting.Number;
                DfuSeMemoryLayout? layout = device.IsDfuSe ? device.GetLayout() : null;
                uint origin = at ?? (layout is { Regions.Length: > 0 } l ? l.Regions[0].Address : 0);
                await FirmwareOutput.WriteAsync(path, kind, UploadedFile(data, device, alt, origin, layout), origin, ct).ConfigureAwait(false);
                double seconds = context.Devices.TimeProvider.GetElapsedTime(start).TotalSeconds;

                // DFU 1.1 §6.2: a short frame ends an upload; when it comes before --length, the file is shorter than asked.
                string[] warnings = data.Length == 0 || (count is { } asked && data.Length < asked)
                    ? [$"the device sent {data.Length} of the {(count is { } n ? n.ToString(CultureInfo.InvariantCulture) : "expected")} bytes asked; the file holds only what was read"]
                    : [];
                foreach (string warning in warnings)
                {
                    context.Warn(path, warning);
                }

                var result = new UploadJson("upload", path, DeviceJson.From(device.Info, device.Mode), alt,
                    device.IsDfuSe ? origin : null, data.Length, count, Convert.ToHexStringLower(SHA256.HashData(data)), Math.Round(seconds, 3), warnings);
                if (parse.GetValue(set.Json))
                {
                    WriteJson(context, result, CliJson.Context.UploadJson);
                }
                else
                {
                    string where = device.IsDfuSe ? $" from 0x{origin:X8}" : string.Empty;
                    context.Out.WriteLine($"Uploaded {data.Length} bytes{where} (alt {alt}) from {device.Info.DisplayName} to {path} in {seconds:0.00} s.");
                }

                // A short read is not success unless asked for: the data the caller wanted is not all there.
                return warnings.Length > 0 && !parse.GetValue(allowShort) ? ExitCodes.DataError : ExitCodes.Ok;
            }
        });
        return command;
    }

    private static DfuFile UploadedFile(byte[] data, DfuDevice device, byte alt, uint origin, DfuSeMemoryLayout? layout)
    {
        var suffix = new DfuSuffix
        {
            VendorId = device.Info.VendorId,
            ProductId = device.Info.ProductId,
            DeviceVersion = device.Info.DeviceVersion,
            DfuVersion = device.IsDfuSe ? DfuSuffix.DfuSe : DfuSuffix.Dfu10,
        };
        return device.IsDfuSe
            ? DfuFile.FromDfuSe(new DfuSeImage([new DfuSeTarget(alt, layout?.Name, [new DfuSeElement(origin, data)])]), suffix)
            : new DfuFile { Firmware = data, Suffix = suffix };
    }
}
