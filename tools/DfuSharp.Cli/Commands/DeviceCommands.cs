using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Hid;
using DfuSharp.Planning;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Commands;

/// <summary>
/// The device commands: <c>list</c>, <c>info</c>, <c>download</c>, <c>upload</c>, <c>detach</c>, <c>erase</c>,
/// <c>unprotect</c>. Results go to standard output (text, or one JSON object with <c>--json</c>); progress goes to
/// standard error. Failures are thrown and mapped to exit codes by <see cref="CliErrors"/>.
/// </summary>
internal static class DeviceCommands
{
    /// <summary>Creates the device commands.</summary>
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return CreateList(context);
        yield return CreateInfo(context);
        yield return CreateDownload(context);
        yield return CreateUpload(context);
        yield return CreateDetach(context);
        yield return CreateErase(context);
        yield return CreateUnprotect(context);
    }

    private static Command CreateList(CliContext context)
    {
        var set = new DeviceOptionSet();
        var command = set.AddTo(new Command("list", "List DFU devices and their alternate settings (like dfu-util -l)."));
        command.SetAction(async (parse, ct) =>
        {
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            var found = await DfuDevice.ListAsync(bus.Provider, bus.Selector, ct).ConfigureAwait(false);
            var devices = found.GroupBy(f => f.Device.PortPath + "|" + f.Device.DeviceAddress.ToString(CultureInfo.InvariantCulture))
                .Select(g => new ListedDeviceJson(
                    DeviceJson.From(g.First().Device, g.First().Interface.Setting.Mode),
                    [.. g.Select(f => Alternate(f.Interface))]))
                .ToArray();
            if (parse.GetValue(set.Json))
            {
                WriteJson(context, new ListJson(devices), CliJson.Context.ListJson);
                return ExitCodes.Ok;
            }

            if (devices.Length == 0)
            {
                context.Out.WriteLine("No DFU devices found.");
            }

            foreach (ListedDeviceJson device in devices)
            {
                context.Out.WriteLine(DeviceLine(device.Device));
                foreach (AlternateSettingJson alt in device.AlternateSettings)
                {
                    context.Out.WriteLine($"  intf {alt.Interface} alt {alt.AlternateSetting}: {alt.Name ?? "(no name)"}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateInfo(CliContext context)
    {
        var set = new DeviceOptionSet();
        var command = set.AddTo(new Command("info", "Show a device's descriptors, DfuSe memory layout, state and DfuSe commands."));
        command.SetAction(async (parse, ct) =>
        {
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            DfuDevice device = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (device.ConfigureAwait(false))
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
                if (parse.GetValue(set.Json))
                {
                    WriteJson(context, info, CliJson.Context.InfoJson);
                    return ExitCodes.Ok;
                }

                WriteInfo(context.Out, info);
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command CreateDownload(CliContext context)
    {
        var set = new DeviceOptionSet();
        var file = CliOptions.File("FILE", "The firmware: .dfu (plain or DfuSe); for DfuSe devices also .hex, .srec, or .bin with --address.");
        var address = CliOptions.UInt32("--address", "Where a .bin file goes on a DfuSe device (like dfu-util -s ADDR); --leave jumps there.");
        var leave = new Option<bool>("--leave") { Description = "Leave DFU mode afterwards: DfuSe jumps to the firmware; a plain DFU device is reset." };
        var verify = new Option<bool>("--verify") { Description = "Read everything back and compare (exit 76 on a difference)." };
        var backup = new Option<string?>("--backup") { Description = "First read every byte of every sector the download erases or overwrites into this file; downloading it restores the board.", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Write a file whose VID/PID or DfuSe target names do not match the device (never a DfuSe file to a plain DFU device, data outside the layout, overlaps, or irreversible memory)." };
        var allowOptionBytes = new Option<bool>("--allow-option-bytes") { Description = "Allow writing option bytes (\"Option Bytes\", \"Device Feature\" alternate settings)." };
        var allowIrreversible = new Option<bool>("--allow-irreversible") { Description = "Allow writes that cannot be undone: OTP memory, or option bytes that set read protection level 2." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan (every step: backup, erase, writes, manifest, reset, verify, leave) and send nothing." };
        var command = set.AddTo(new Command("download", "Write firmware to a device (host → device), like dfu-util -D.")
        {
            file, address, leave, verify, backup, force, allowOptionBytes, allowIrreversible, dryRun,
        });
        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetRequiredValue(file);
            string? backupPath = parse.GetValue(backup);
            bool json = parse.GetValue(set.Json);
            bool isDryRun = parse.GetValue(dryRun);
            uint? at = parse.GetValue(address);
            FirmwareKind? backupKind = null;
            if (backupPath is not null)
            {
                CheckBackupPath(backupPath, [path, parse.GetValue(set.SimState)]);
                backupKind = FirmwareOutput.KindOf(backupPath);
                CliFiles.CheckWritable(backupPath);
            }

            byte[] content = await CliFiles.ReadAsync(path, ct).ConfigureAwait(false);
            Firmware firmware = ReadFirmware(path, content, at);
            var options = new DownloadOptions
            {
                Verify = parse.GetValue(verify),
                Leave = parse.GetValue(leave),
                Force = parse.GetValue(force),
                AllowOptionBytes = parse.GetValue(allowOptionBytes),
                AllowIrreversible = parse.GetValue(allowIrreversible),
                Address = firmware.File is not null ? at : null,
                Backup = backupPath is null ? null : (previous, token) => SaveBackupAsync(backupPath, backupKind!.Value, previous, token),
            };

            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            DfuDevice device = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (device.ConfigureAwait(false))
            {
                long start = context.Devices.TimeProvider.GetTimestamp();
                if (firmware.IsBin && at is null && device.Mode == DfuMode.Dfu && device.IsDfuSe)
                {
                    throw CliException.Usage($"{path}: a .bin file for a DfuSe device needs --address (like dfu-util -s ADDR)");
                }

                if (isDryRun)
                {
                    if (device.Mode == DfuMode.Runtime && (firmware.Image is not null || firmware.File?.DfuSe is not null || at is not null || device.HidDetach is not null))
                    {
                        throw CliException.Usage(
                            $"{path}: {device.Info.DisplayName} is in run-time mode and shows its memory layout only in DFU mode; run `dfusharp detach` first to plan this file");
                    }

                    TransferPlan plan = Refusals(options, () => firmware.Plan(device, options));
                    WarnAll(context, path, plan);
                    var planned = new DownloadJson("download", path, DeviceJson.From(device.Info, device.Mode), DryRun: true,
                        plan.WriteBytes, plan.EraseCount, Verified: false, Outcome: null, backupPath, 0, plan, plan.Warnings);
                    if (json)
                    {
                        WriteJson(context, planned, CliJson.Context.DownloadJson);
                    }
                    else
                    {
                        WritePlan(context.Out, path, device, plan);
                    }

                    return ExitCodes.Ok;
                }

                // In DFU mode the plan is made once, here, so a refusal comes before the progress display starts and the
                // steps that run are the ones a dry run prints. A run-time device is planned once it is in DFU mode.
                TransferPlan? ready = device.Mode == DfuMode.Dfu ? Refusals(options, () => firmware.Plan(device, options)) : null;
                if (ready is not null)
                {
                    CheckVerifies(options, ready);
                    WarnAll(context, path, ready);
                }

                DownloadResult result = await RefusalsAsync(options, () => CliProgress.RunAsync(context, p => ready is not null
                    ? device.ExecuteAsync(ready, options.Backup, p, ct)
                    : firmware.DownloadAsync(device, options, p, ct))).ConfigureAwait(false);
                if (ready is null)
                {
                    CheckVerifies(options, result.Plan);
                    WarnAll(context, path, result.Plan);
                }

                double seconds = context.Devices.TimeProvider.GetElapsedTime(start).TotalSeconds;
                var done = new DownloadJson("download", path, DeviceJson.From(device.Info, DfuMode.Dfu), DryRun: false,
                    result.Plan.WriteBytes, result.Plan.EraseCount, result.Verified, OutcomeName(result.Outcome), backupPath, Math.Round(seconds, 3),
                    Plan: null, result.Plan.Warnings);
                if (json)
                {
                    WriteJson(context, done, CliJson.Context.DownloadJson);
                }
                else
                {
                    WriteDownloadSummary(context.Out, done, result);
                }

                return ExitCodes.Ok;
            }
        });
        return command;
    }

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
                byte[] output = FirmwareOutput.Encode(path, kind, UploadedFile(data, device, alt, origin, layout), origin);
                await CliFiles.WriteAtomicAsync(path, output, ct).ConfigureAwait(false);
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

    private static Command CreateDetach(CliContext context)
    {
        var set = new DeviceOptionSet();
        var command = set.AddTo(new Command("detach", "Switch a run-time device into DFU mode (DFU_DETACH, reset if needed; ST's HID detach for a HID application named by the selector) and wait for it."));
        command.SetAction(async (parse, ct) =>
        {
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            DfuDevice device = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (device.ConfigureAwait(false))
            {
                long start = context.Devices.TimeProvider.GetTimestamp();
                bool wasRuntime = device.Mode == DfuMode.Runtime;
                if (wasRuntime)
                {
                    await CliProgress.RunAsync(context, async p =>
                    {
                        await device.DetachAsync(p, ct).ConfigureAwait(false);
                        return true;
                    }).ConfigureAwait(false);
                }

                string outcome = wasRuntime ? "detached" : "already-in-dfu-mode";
                double seconds = context.Devices.TimeProvider.GetElapsedTime(start).TotalSeconds;
                var result = new DeviceActionJson("detach", DeviceJson.From(device.Info, device.Mode), outcome, Math.Round(seconds, 3));
                if (parse.GetValue(set.Json))
                {
                    WriteJson(context, result, CliJson.Context.DeviceActionJson);
                }
                else
                {
                    context.Out.WriteLine(wasRuntime
                        ? $"Detached: {device.Info.DisplayName} is now in DFU mode ({seconds:0.00} s)."
                        : $"{device.Info.DisplayName} is already in DFU mode.");
                }

                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command CreateErase(CliContext context)
    {
        var set = new DeviceOptionSet();
        var mass = new Option<bool>("--mass") { Description = "Erase the whole memory (DfuSe mass erase; can take many seconds)." };
        var address = CliOptions.UInt32("--address", "The first address of the range to erase.");
        var length = CliOptions.UInt32("--length", "The length of the range; every sector it touches is erased once.", "N");
        var command = set.AddTo(new Command("erase", "Erase DfuSe flash: --mass, or --address A --length N.") { mass, address, length });
        command.SetAction(async (parse, ct) =>
        {
            bool isMass = parse.GetValue(mass);
            uint? at = parse.GetValue(address);
            uint? count = parse.GetValue(length);
            if (isMass == (at is not null || count is not null) || (!isMass && (at is null || count is null)))
            {
                throw CliException.Usage("erase needs either --mass, or --address A and --length N");
            }

            if (count == 0)
            {
                throw CliException.Usage("--length must be at least 1");
            }

            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            DfuDevice device = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (device.ConfigureAwait(false))
            {
                long start = context.Devices.TimeProvider.GetTimestamp();

                // Ctrl+C during a mass erase: the device keeps erasing; say that the host waits for it, and for how long.
                using CancellationTokenRegistration waiting = ct.Register(() => context.Error.WriteLine(isMass
                    ? $"dfusharp: erase: cancelling; waiting up to {device.Options.BusyTimeout.TotalSeconds:0} s for the device to finish the mass erase it started"
                    : "dfusharp: erase: cancelling after the sector being erased"));
                int sectors = await CliProgress.RunAsync(context, async p =>
                {
                    if (isMass)
                    {
                        try
                        {
                            await device.DfuSe.MassEraseAsync(null, p, ct).ConfigureAwait(false);
                        }
                        catch (DfuEraseCanceledException ex)
                        {
                            context.Error.WriteLine($"dfusharp: erase: {ex.Message}");
                            throw;
                        }

                        return 1;
                    }

                    ImmutableArray<TransferStep> steps = await device.DfuSe.EraseAsync(at!.Value, count!.Value, null, p, ct).ConfigureAwait(false);
                    return steps.Length;
                }).ConfigureAwait(false);
                double seconds = context.Devices.TimeProvider.GetElapsedTime(start).TotalSeconds;
                var result = new EraseJson("erase", DeviceJson.From(device.Info, device.Mode), device.Interface.Setting.Number, isMass, at, count, sectors, Math.Round(seconds, 3));
                if (parse.GetValue(set.Json))
                {
                    WriteJson(context, result, CliJson.Context.EraseJson);
                }
                else
                {
                    context.Out.WriteLine(isMass
                        ? $"Mass-erased alt {result.AlternateSetting} of {device.Info.DisplayName} in {seconds:0.00} s."
                        : $"Erased {sectors} sector(s) covering 0x{at:X8}+{count} on {device.Info.DisplayName} in {seconds:0.00} s.");
                }

                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command CreateUnprotect(CliContext context)
    {
        var set = new DeviceOptionSet();
        var command = set.AddTo(new Command("unprotect", "Remove DfuSe read protection (Read Unprotect): the device mass-erases its flash and resets."));
        command.SetAction(async (parse, ct) =>
        {
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            DfuDevice device = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (device.ConfigureAwait(false))
            {
                long start = context.Devices.TimeProvider.GetTimestamp();
                DfuLeaveOutcome outcome = await device.DfuSe.ReadUnprotectAsync(ct).ConfigureAwait(false);
                double seconds = context.Devices.TimeProvider.GetElapsedTime(start).TotalSeconds;
                var result = new DeviceActionJson("unprotect", DeviceJson.From(device.Info, DfuMode.Dfu), OutcomeName(outcome), Math.Round(seconds, 3));
                if (parse.GetValue(set.Json))
                {
                    WriteJson(context, result, CliJson.Context.DeviceActionJson);
                }
                else
                {
                    context.Out.WriteLine($"Read protection removed from {device.Info.DisplayName}: the flash is erased and the device {OutcomeText(outcome)}.");
                }

                return ExitCodes.Ok;
            }
        });
        return command;
    }

    // A .dfu file names its device; a .bin is raw firmware, or data at --address; .hex and .srec name their addresses.
    private static Firmware ReadFirmware(string path, byte[] content, uint? address)
    {
        FirmwareKind kind = FirmwareKindDetector.Detect(content, path);
        switch (kind)
        {
            case FirmwareKind.Dfu:
                return new Firmware(CliFiles.Decode(path, () => DfuFile.Read(content)), null);
            case FirmwareKind.Bin when address is { } at:
                return new Firmware(null, MemoryImage.FromBytes(at, content), IsBin: true);
            case FirmwareKind.Bin:
                return new Firmware(new DfuFile { Firmware = content }, null, IsBin: true);
            default:
                if (address is not null)
                {
                    throw CliException.Usage($"--address applies only to .bin files; {path} names its own addresses");
                }

                return new Firmware(null, FirmwareFiles.ReadMemoryImage(path, content, kind, 0));
        }
    }

    // The backup must not replace anything the command reads: the firmware about to be written, or the simulator's state.
    private static void CheckBackupPath(string backupPath, IEnumerable<string?> readPaths)
    {
        string backup = Path.GetFullPath(backupPath);
        StringComparison comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (string? read in readPaths)
        {
            if (read is not null && string.Equals(backup, Path.GetFullPath(read), comparison))
            {
                throw CliException.Usage($"--backup {backupPath}: the backup would replace {read}, which this command reads; choose another file");
            }
        }
    }

    // Refusals that name the flag that would help, or say that none does.
    private static T Refusals<T>(DownloadOptions options, Func<T> plan)
    {
        try
        {
            return plan();
        }
        catch (DfuFileMismatchException ex) when (!options.Force && ex.CanForce)
        {
            throw new DfuFileMismatchException($"{ex.Message} --force would write it anyway.", ex) { CanForce = true };
        }
        catch (DfuFileMismatchException ex) when (!ex.CanForce && !ex.Message.EndsWith("cannot override this.", StringComparison.Ordinal))
        {
            throw new DfuFileMismatchException($"{ex.Message} --force cannot override this.", ex) { Address = ex.Address };
        }
        catch (DfuConsentRequiredException ex)
        {
            string flag = ex.Consent == DfuConsent.OptionBytes ? "--allow-option-bytes" : "--allow-irreversible";
            throw CliException.Usage($"{ex.Message} Pass {flag} to write it (--force does not count).");
        }
    }

    private static async Task<T> RefusalsAsync<T>(DownloadOptions options, Func<Task<T>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DfuFileMismatchException or DfuConsentRequiredException)
        {
            return Refusals<T>(options, () => throw ex);
        }
    }

    private static void CheckVerifies(DownloadOptions options, TransferPlan plan)
    {
        if (options.Verify && plan.VerifyBytes == 0)
        {
            throw CliException.Usage("--verify: the plan reads nothing back, so nothing would be verified");
        }
    }

    private static void WarnAll(CliContext context, string path, TransferPlan plan)
    {
        foreach (string warning in plan.Warnings)
        {
            context.Warn(path, warning);
        }
    }

    private static async ValueTask SaveBackupAsync(string path, FirmwareKind kind, DfuFile previous, CancellationToken cancellationToken)
        => await CliFiles.WriteAtomicAsync(path, FirmwareOutput.Encode(path, kind, previous, origin: 0), cancellationToken).ConfigureAwait(false);

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

    private static AlternateSettingJson Alternate(DfuInterfaceInfo i)
        => new(i.ConfigurationValue, i.InterfaceNumber, i.Setting.Number, i.Setting.Name, DeviceJson.ModeName(i.Setting.Mode),
            DfuSeMemoryLayout.TryParse(i.Setting.Name, out DfuSeMemoryLayout? layout) ? LayoutJson.From(layout) : null);

    private static string CommandName(DfuSeCommand command) => command switch
    {
        DfuSeCommand.GetCommands => "get-commands",
        DfuSeCommand.SetAddress => "set-address",
        DfuSeCommand.Erase => "erase",
        DfuSeCommand.ReadUnprotect => "read-unprotect",
        _ => $"0x{(byte)command:X2}",
    };

    private static string OutcomeName(DfuLeaveOutcome outcome) => outcome switch
    {
        DfuLeaveOutcome.Left => "left",
        DfuLeaveOutcome.Disconnected => "disconnected",
        DfuLeaveOutcome.Reset => "reset",
        _ => "stayed-in-dfu-mode",
    };

    private static string OutcomeText(DfuLeaveOutcome outcome) => outcome switch
    {
        DfuLeaveOutcome.Left => "left DFU mode",
        DfuLeaveOutcome.Disconnected => "left DFU mode (it disconnected)",
        DfuLeaveOutcome.Reset => "was reset",
        _ => "stayed in DFU mode",
    };

    private static string DeviceLine(DeviceJson d)
        => $"[{d.VendorId:x4}:{d.ProductId:x4}] ver={d.DeviceVersion:x4} path=\"{d.Path}\" {d.Mode} mode"
           + (d.Product is { } p ? $" \"{p}\"" : string.Empty)
           + (d.SerialNumber is { Length: > 0 } s ? $" serial=\"{s}\"" : string.Empty);

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

    private static void WritePlan(TextWriter o, string path, DfuDevice device, TransferPlan plan)
    {
        o.WriteLine($"Plan for {path} on {device.Info.DisplayName} ({plan.Protocol}, blocks of {plan.TransferSize} bytes); nothing was sent:");
        foreach (IGrouping<TransferStepKind, TransferStep> group in plan.Steps.GroupBy(s => s.Kind))
        {
            TransferStep first = group.First();
            TransferStep last = group.Last();
            long bytes = group.Sum(s => (long)s.Length);
            string text = group.Key switch
            {
                TransferStepKind.Erase => $"erase    {group.Count()} sector(s): {string.Join(", ", group.Select(s => $"0x{s.Address:X8}"))}",
                TransferStepKind.MassErase => "erase    mass erase",
                TransferStepKind.Write => $"write    {bytes} bytes in {group.Count()} block(s), 0x{first.Address:X8}-0x{last.Address + (uint)last.Length - 1:X8}",
                TransferStepKind.Verify => $"verify   {bytes} bytes",
                TransferStepKind.Manifest => $"manifest zero-length download (block {first.Block}), then manifestation",
                TransferStepKind.DfuSeLeave => $"leave    jump to 0x{first.Address:X8}",
                TransferStepKind.UsbReset => "leave    USB reset",
                TransferStepKind.ResetAfterManifest => "reset    USB reset after manifestation (dfuMANIFEST-WAIT-RESET)",
                TransferStepKind.Reenumerate => "wait     for the device to enumerate again",
                TransferStepKind.Detach => "detach   the device is in run-time mode; it is switched to DFU mode first",
                TransferStepKind.Backup => $"backup   {bytes} bytes: {string.Join(", ", Ranges(group))}",
                TransferStepKind.BackupFirmware => "backup   the whole firmware (upload until a short block)",
                TransferStepKind.VerifyFirmware => $"verify   {bytes} bytes",
                TransferStepKind.Abort => "abort    back to dfuIDLE",
                TransferStepKind.SetAddress => $"address  {group.Count()} Set Address Pointer command(s)",
                _ => $"alt      {string.Join(", ", group.Select(s => s.AlternateSetting).Distinct())}",
            };
            o.WriteLine($"  {text}");
        }
    }

    private static IEnumerable<string> Ranges(IEnumerable<TransferStep> steps)
    {
        ulong start = 0;
        ulong end = 0;
        foreach (TransferStep step in steps)
        {
            if (end != 0 && step.Address == end)
            {
                end += (ulong)step.Length;
                continue;
            }

            if (end != 0)
            {
                yield return $"0x{start:X8}-0x{end - 1:X8}";
            }

            (start, end) = (step.Address, step.Address + (ulong)step.Length);
        }

        if (end != 0)
        {
            yield return $"0x{start:X8}-0x{end - 1:X8}";
        }
    }

    private static void WriteDownloadSummary(TextWriter o, DownloadJson done, DownloadResult result)
    {
        string where = result.Plan.Protocol == DfuProtocolKind.DfuSe
            ? " (" + string.Join(", ", result.Plan.Segments.Select(s => $"alt {s.AlternateSetting} 0x{s.Address:X8}-0x{s.End - 1:X8}")) + ")"
            : $" in {result.Plan.Steps.Count(s => s.Kind == TransferStepKind.Write)} block(s) of up to {result.Plan.TransferSize}";
        o.WriteLine($"Downloaded {done.File} to {DeviceLine(done.Device)}");
        o.WriteLine($"  written:  {done.WrittenBytes} bytes{where}");
        if (result.Plan.Protocol == DfuProtocolKind.DfuSe)
        {
            o.WriteLine($"  erased:   {done.ErasedSectors} sector(s)");
        }

        if (done.Verified)
        {
            o.WriteLine($"  verified: yes, {result.Plan.VerifyBytes} bytes read back and equal");
        }
        else
        {
            o.WriteLine("  verified: no (use --verify)");
        }
        if (done.Backup is not null)
        {
            o.WriteLine($"  backup:   {done.Backup}");
        }

        o.WriteLine($"  device:   {OutcomeText(result.Outcome)}");
        o.WriteLine($"  time:     {done.ElapsedSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
    }

    private static string Size(ulong bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)} MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KiB",
        _ => $"{bytes} B",
    };

    private static void WriteJson<T>(CliContext context, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        => context.Out.WriteLine(JsonSerializer.Serialize(value, type));

    // What download writes: a file, or a memory image with its addresses; planned and downloaded by the library alike.
    private sealed record Firmware(DfuFile? File, MemoryImage? Image, bool IsBin = false)
    {
        public TransferPlan Plan(DfuDevice device, DownloadOptions options)
            => File is not null ? device.PlanDownload(File, options) : device.PlanDownload(Image!, null, options);

        public Task<DownloadResult> DownloadAsync(DfuDevice device, DownloadOptions options, IProgress<DfuProgress> progress, CancellationToken cancellationToken)
            => File is not null
                ? device.DownloadAsync(File, options, progress, cancellationToken)
                : device.DownloadAsync(Image!, null, options, progress, cancellationToken);
    }
}
