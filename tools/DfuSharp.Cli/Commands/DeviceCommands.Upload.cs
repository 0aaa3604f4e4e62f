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
        var command = set.AddManyTo(set.AddTo(new Command("upload", "Read firmware from a device (device → host), like dfu-util -U; with --all or several --device, from many boards at once "
            + "(one file each: FILE may hold {path}, {serial} or {n}; otherwise -PORTPATH goes before its extension).") { file, address, length, allowShort }));
        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetRequiredValue(file);
            FirmwareKind kind = FirmwareOutput.KindOf(path);
            uint? count = parse.GetValue(length);
            if (count is 0 or > int.MaxValue)
            {
                throw CliException.Usage($"--length: {count} is out of range; read 1 to {int.MaxValue} bytes");
            }

            DeviceRequest request = set.Request(parse);
            ManyRequest many = set.Many(parse);
            bool json = parse.GetValue(set.Json);
            bool allowed = parse.GetValue(allowShort);
            uint? at = parse.GetValue(address);
            if (many.IsMany || many.JsonLines)
            {
                await using DeviceBus rig = await DeviceBus.CreateAsync(context.Devices, request, ct).ConfigureAwait(false);
                IReadOnlyList<UsbDeviceInfo> boards = await rig.ListBoardsAsync(many.All, ct).ConfigureAwait(false);
                IReadOnlyDictionary<string, string> files = BoardFiles.Name("upload", path, boards);
                foreach (string named in files.Values)
                {
                    CliFiles.CheckWritable(named);
                }

                return await ManyBoards.RunAsync(context, "upload", rig, boards, many, json, async (board, device, token) =>
                {
                    string mine = files[board.Board.PortPath];
                    UploadJson result = await UploadOnBoardAsync(board.Context, device, mine, kind, at, count, operation => operation(board.Progress), token).ConfigureAwait(false);
                    string where = result.Address is { } origin ? $" from 0x{origin:X8}" : string.Empty;
                    return new BoardOutcome<UploadJson>(result, UploadExitCode(result, allowed),
                        string.Create(CultureInfo.InvariantCulture, $"uploaded {result.Length} bytes{where} (alt {result.AlternateSetting}) to {mine} in {result.ElapsedSeconds:0.00} s"));
                }, CliJson.Context.UploadJson, ct).ConfigureAwait(false);
            }

            // Fail before the device is read, not after minutes of reading.
            CliFiles.CheckWritable(path);
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, request, ct).ConfigureAwait(false);
            DfuDevice single = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (single.ConfigureAwait(false))
            {
                UploadJson result = await UploadOnBoardAsync(context, single, path, kind, at, count, operation => CliProgress.RunAsync(context, operation), ct).ConfigureAwait(false);
                if (json)
                {
                    WriteJson(context, result, CliJson.Context.UploadJson);
                }
                else
                {
                    string where = result.Address is { } origin ? $" from 0x{origin:X8}" : string.Empty;
                    context.Out.WriteLine($"Uploaded {result.Length} bytes{where} (alt {result.AlternateSetting}) from {single.Info.DisplayName} to {path} in {result.ElapsedSeconds:0.00} s.");
                }

                return UploadExitCode(result, allowed);
            }
        });
        return command;
    }

    // A short read is not success unless asked for: the data the caller wanted is not all there.
    private static int UploadExitCode(UploadJson result, bool allowShort)
        => result.Warnings.Count > 0 && !allowShort ? ExitCodes.DataError : ExitCodes.Ok;

    // One board's upload, the same alone and in a many-board run: read, write the file, warn about a short read.
    private static async Task<UploadJson> UploadOnBoardAsync(CliContext context, DfuDevice device, string path, FirmwareKind kind, uint? at, uint? count,
        Func<Func<IProgress<DfuProgress>, Task<byte[]>>, Task<byte[]>> progress, CancellationToken ct)
    {
        if (at is not null && !device.IsDfuSe)
        {
            throw CliException.Usage("--address applies only to DfuSe devices; a plain DFU device is read from its start");
        }

        long start = context.Devices.TimeProvider.GetTimestamp();
        var options = new UploadOptions { Address = at, Length = count };
        byte[] data;
        try
        {
            data = await progress(p => device.UploadAsync(options, p, ct)).ConfigureAwait(false);
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

        return new UploadJson("upload", path, DeviceJson.From(device.Info, device.Mode), alt,
            device.IsDfuSe ? origin : null, data.Length, count, Convert.ToHexStringLower(SHA256.HashData(data)), Math.Round(seconds, 3), warnings);
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
