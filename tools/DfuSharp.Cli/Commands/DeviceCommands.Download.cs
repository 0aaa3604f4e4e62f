using System.CommandLine;
using System.Globalization;

using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Commands;

/// <content><c>download</c>: one plan, shown by <c>--dry-run</c> or run.</content>
internal static partial class DeviceCommands
{
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
        var pacing = new Option<string?>("--pacing")
        {
            Description = "How GETSTATUS is paced while the device is busy: adaptive (default: learn the real busy times), spec (wait every bwPollTimeout), hold (ask at once; the device holds the answer).",
            HelpName = "spec|adaptive|hold",
        };
        pacing.AcceptOnlyFromAmong(PacingNames);
        var addressing = new Option<string?>("--addressing")
        {
            Description = "How a DfuSe download sets the address pointer: per-chunk (before every block) or address-once (once per run of full-size blocks; the default on ST ROMs).",
            HelpName = "per-chunk|address-once",
        };
        addressing.AcceptOnlyFromAmong(AddressingNames);
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan (every step: backup, erase, writes, manifest, reset, verify, leave) and send nothing." };
        var skipUnchanged = new Option<bool>("--skip-unchanged")
        {
            Description = "Read back every sector the plan would erase first, and neither erase nor write the sectors that already hold exactly what "
                          + "they would hold afterwards (a dry run does these reads and shows the kept sectors).",
        };
        var command = set.AddManyTo(set.AddTo(new Command("download", "Write firmware to a device (host → device), like dfu-util -D; with --all or several --device, to many boards at once.")
        {
            file, address, leave, verify, backup, force, allowOptionBytes, allowIrreversible, pacing, addressing, skipUnchanged, dryRun,
        }));
        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetRequiredValue(file);
            string? backupPath = parse.GetValue(backup);
            bool json = parse.GetValue(set.Json);
            DeviceRequest request = set.Request(parse);
            ManyRequest many = set.Many(parse);
            var run = new DownloadRun(path, parse.GetValue(address), parse.GetValue(dryRun), backupPath);
            if (backupPath is not null)
            {
                CheckBackupPath(backupPath, [path, request.SimState]);
                _ = FirmwareOutput.KindOf(backupPath);
                if (!many.IsMany && !many.JsonLines)
                {
                    CliFiles.CheckWritable(backupPath);
                }
            }

            byte[] content = await CliFiles.ReadAsync(path, ct).ConfigureAwait(false);
            Firmware firmware = ReadFirmware(path, content, run.Address);
            var options = new DownloadOptions
            {
                Verify = parse.GetValue(verify),
                Leave = parse.GetValue(leave),
                Force = parse.GetValue(force),
                AllowOptionBytes = parse.GetValue(allowOptionBytes),
                AllowIrreversible = parse.GetValue(allowIrreversible),
                Address = firmware.File is not null ? run.Address : null,
                SkipUnchanged = parse.GetValue(skipUnchanged),
                Pacing = parse.GetValue(pacing) is { } paced ? Enum.Parse<DfuPacing>(paced, ignoreCase: true) : null,
                Addressing = parse.GetValue(addressing) switch
                {
                    "per-chunk" => DfuAddressing.PerChunk,
                    "address-once" => DfuAddressing.AddressOnce,
                    _ => null,
                },
            };

            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, request, ct).ConfigureAwait(false);
            if (many.IsMany || many.JsonLines)
            {
                IReadOnlyList<UsbDeviceInfo> boards = await bus.ListBoardsAsync(many.All, ct).ConfigureAwait(false);
                IReadOnlyDictionary<string, string>? backups = backupPath is null ? null : BoardFiles.Name("--backup", backupPath, boards);
                foreach (string named in backups?.Values ?? [])
                {
                    CheckBackupPath(named, [path, request.SimState]);
                    CliFiles.CheckWritable(named);
                }

                return await ManyBoards.RunAsync(context, "download", bus, boards, many, json, async (board, device, token) =>
                {
                    DownloadRun mine = run with { Backup = backups?[board.Board.PortPath] };
                    (DownloadJson done, _, _) = await DownloadOnBoardAsync(board.Context, device, bus.Provider, firmware, mine,
                        WithBackup(options, mine.Backup), operation => operation(board.Progress), board.Board.PortPath, token).ConfigureAwait(false);
                    return new BoardOutcome<DownloadJson>(done, ExitCodes.Ok, DownloadLine(done));
                }, CliJson.Context.DownloadJson, ct).ConfigureAwait(false);
            }

            DfuDevice single = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (single.ConfigureAwait(false))
            {
                (DownloadJson done, DownloadResult? result, TransferPlan plan) = await DownloadOnBoardAsync(context, single, bus.Provider, firmware, run,
                    WithBackup(options, backupPath), operation => CliProgress.RunAsync(context, operation), null, ct).ConfigureAwait(false);
                if (json)
                {
                    WriteJson(context, done, CliJson.Context.DownloadJson);
                }
                else if (result is null)
                {
                    WritePlan(context.Out, path, single, plan);
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

    // One board's download, the same alone and in a many-board run: checks, the plan (printed by a dry run, run
    // otherwise) and the result. progress runs the execution with the progress display of the run.
    private static async Task<(DownloadJson Json, DownloadResult? Result, TransferPlan Plan)> DownloadOnBoardAsync(
        CliContext context, DfuDevice device, IUsbDeviceProvider provider, Firmware firmware, DownloadRun run, DownloadOptions options,
        Func<Func<IProgress<DfuProgress>, Task<DownloadResult>>, Task<DownloadResult>> progress, string? board, CancellationToken ct)
    {
        long start = context.Devices.TimeProvider.GetTimestamp();
        string path = run.File;
        if (firmware.IsBin && run.Address is null && device.Mode == DfuMode.Dfu && device.IsDfuSe)
        {
            throw CliException.Usage($"{path}: a .bin file for a DfuSe device needs --address (like dfu-util -s ADDR)");
        }

        if (run.DryRun)
        {
            if (device.Mode == DfuMode.Runtime && (firmware.Image is not null || firmware.File?.DfuSe is not null || run.Address is not null || device.HidDetach is not null))
            {
                throw CliException.Usage(
                    $"{path}: {device.Info.DisplayName} is in run-time mode and shows its memory layout only in DFU mode; run `dfusharp detach` first to plan this file");
            }

            TransferPlan plan = Refusals(options, () => firmware.Plan(device, options));
            if (options.SkipUnchanged && !plan.Check.IsEmpty)
            {
                plan = await device.CheckUnchangedAsync(plan, null, ct).ConfigureAwait(false);
            }

            WarnAll(context, path, plan);
            var planned = new DownloadJson("download", path, DeviceJson.From(device.Info, device.Mode), DryRun: true,
                plan.WriteBytes, plan.EraseCount, Verified: false, Outcome: null, run.Backup, 0, plan, plan.Warnings,
                PacingName(plan.Pacing), AddressingName(plan.Addressing), ControlTransfers: 0, DeviceMinimumSeconds: null)
            {
                KeptSectors = plan.KeptSectors.Length,
            };
            return (planned, null, plan);
        }

        // In DFU mode the plan is made once, here, so a refusal comes before the progress display starts and the
        // steps that run are the ones a dry run prints. A run-time device is planned once it is in DFU mode.
        TransferPlan? ready = device.Mode == DfuMode.Dfu ? Refusals(options, () => firmware.Plan(device, options)) : null;
        if (ready is not null)
        {
            CheckVerifies(options, ready);
            WarnAll(context, path, ready);
        }

        DownloadResult result = await RefusalsAsync(options, () => progress(p => ready is not null
            ? device.ExecuteAsync(ready, options.Backup, p, ct)
            : firmware.DownloadAsync(device, options, p, ct))).ConfigureAwait(false);
        if (ready is null)
        {
            CheckVerifies(options, result.Plan);
            WarnAll(context, path, result.Plan);
        }

        double seconds = context.Devices.TimeProvider.GetElapsedTime(start).TotalSeconds;
        var done = new DownloadJson("download", path, DeviceJson.From(device.Info, DfuMode.Dfu), DryRun: false,
            result.Plan.WriteBytes, result.Plan.EraseCount, result.Verified, OutcomeName(result.Outcome), run.Backup, Math.Round(seconds, 3),
            Plan: null, result.Plan.Warnings, PacingName(result.PacingUsed), AddressingName(result.Plan.Addressing),
            result.ControlTransfers, DeviceMinimumSeconds(provider, board))
        {
            KeptSectors = result.Plan.KeptSectors.Length,
        };
        return (done, result, result.Plan);
    }

    private static DownloadOptions WithBackup(DownloadOptions options, string? backupPath)
    {
        if (backupPath is null)
        {
            return options;
        }

        FirmwareKind kind = FirmwareOutput.KindOf(backupPath);
        return options with { Backup = (previous, token) => SaveBackupAsync(backupPath, kind, previous, token) };
    }

    // A board's line in a many-board run.
    private static string DownloadLine(DownloadJson done)
        => done.DryRun
            ? $"plan: {done.WrittenBytes} bytes to write, {done.ErasedSectors} sector(s) to erase; nothing was sent"
            : string.Create(CultureInfo.InvariantCulture,
                  $"downloaded {done.WrittenBytes} bytes, {done.ErasedSectors} sector(s) erased, {(done.Verified ? "verified" : "not verified")}, {done.Outcome}, {done.ElapsedSeconds:0.00} s")
              + (done.Backup is { } b ? $", backup {b}" : string.Empty);

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
        => await FirmwareOutput.WriteAsync(path, kind, previous, origin: 0, cancellationToken).ConfigureAwait(false);

    private static void WritePlan(TextWriter o, string path, DfuDevice device, TransferPlan plan)
    {
        o.WriteLine($"Plan for {path} on {device.Info.DisplayName} ({plan.Protocol}, blocks of {plan.TransferSize} bytes); nothing was sent:");
        o.WriteLine($"  pacing   {PacingName(plan.Pacing)}{(plan.StartsInHold ? " (starts in hold: the device holds GETSTATUS while busy)" : string.Empty)}"
            + (plan.Protocol == DfuProtocolKind.DfuSe ? $", addressing {AddressingName(plan.Addressing)}" : string.Empty));
        foreach (IGrouping<TransferStepKind, TransferStep> group in plan.Steps.GroupBy(s => s.Kind))
        {
            TransferStep first = group.First();
            TransferStep last = group.Last();
            long bytes = group.Sum(s => (long)s.Length);
            string text = group.Key switch
            {
                TransferStepKind.Erase => $"erase    {group.Count()} sector(s): {string.Join(", ", group.Select(s => $"0x{s.Address:X8}"))}",
                TransferStepKind.Keep => $"keep     {group.Count()} sector(s) unchanged, not erased or written: {string.Join(", ", group.Select(s => $"0x{s.Address:X8}"))}",
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
            if (done.KeptSectors > 0)
            {
                o.WriteLine($"  kept:     {done.KeptSectors} sector(s) already held the new content (--skip-unchanged): not erased, not written");
            }
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
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  speed:    {result.BytesPerSecond / 1024:0.0} KB/s, pacing {done.Pacing}, addressing {done.Addressing}, {done.ControlTransfers} control transfers"));
        if (done.DeviceMinimumSeconds is { } minimum)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  minimum:  {minimum:0.00} s imposed by the simulated device"));
        }
    }

    private static readonly string[] PacingNames = ["spec", "adaptive", "hold"];

    private static readonly string[] AddressingNames = ["per-chunk", "address-once"];

    private static string PacingName(DfuPacing pacing) => pacing.ToString().ToLowerInvariant();

    private static string AddressingName(DfuAddressing addressing) => addressing == DfuAddressing.AddressOnce ? "address-once" : "per-chunk";

    // The device-imposed minimum is known only for a simulated device, which reports it per session: of the board at
    // the port path in a many-board run, of every board on the bus otherwise.
    private static double? DeviceMinimumSeconds(IUsbDeviceProvider provider, string? board = null)
        => provider is SimulatedUsbBus simulated && simulated.Devices.Where(d => board is null || d.PortPath == board).ToList() is { Count: > 0 } devices
            ? Math.Round(devices.Sum(d => d.DeviceMinimumTime.TotalSeconds), 3)
            : null;

    // What download was asked to do, for each board alike; Backup is the board's own file.
    private sealed record DownloadRun(string File, uint? Address, bool DryRun, string? Backup);

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
