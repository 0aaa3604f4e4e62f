using System.Collections.Immutable;
using System.CommandLine;

using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.Planning;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Commands;

/// <content><c>detach</c>, <c>erase</c> and <c>unprotect</c>.</content>
internal static partial class DeviceCommands
{
    private static Command CreateDetach(CliContext context)
    {
        var set = new DeviceOptionSet();
        var command = set.AddManyTo(set.AddTo(new Command("detach", "Switch a run-time device into DFU mode (DFU_DETACH, reset if needed; ST's HID detach for a HID application named by the selector) and wait for it; with --all or several --device, many boards at once.")));
        command.SetAction(async (parse, ct) =>
        {
            DeviceRequest request = set.Request(parse);
            ManyRequest many = set.Many(parse);
            bool json = parse.GetValue(set.Json);
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, request, ct).ConfigureAwait(false);
            if (many.IsMany || many.JsonLines)
            {
                IReadOnlyList<UsbDeviceInfo> boards = await bus.ListBoardsAsync(many.All, ct).ConfigureAwait(false);
                return await ManyBoards.RunAsync(context, "detach", bus, boards, many, json, async (board, device, token) =>
                {
                    DeviceActionJson result = await DetachOnBoardAsync(board.Context, device, operation => operation(board.Progress), token).ConfigureAwait(false);
                    return new BoardOutcome<DeviceActionJson>(result, ExitCodes.Ok, result.Outcome == "detached"
                        ? $"detached: now in DFU mode ({result.ElapsedSeconds:0.00} s)"
                        : "already in DFU mode");
                }, CliJson.Context.DeviceActionJson, ct).ConfigureAwait(false);
            }

            DfuDevice single = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (single.ConfigureAwait(false))
            {
                DeviceActionJson result = await DetachOnBoardAsync(context, single, operation => CliProgress.RunAsync(context, operation), ct).ConfigureAwait(false);
                if (json)
                {
                    WriteJson(context, result, CliJson.Context.DeviceActionJson);
                }
                else
                {
                    context.Out.WriteLine(result.Outcome == "detached"
                        ? $"Detached: {single.Info.DisplayName} is now in DFU mode ({result.ElapsedSeconds:0.00} s)."
                        : $"{single.Info.DisplayName} is already in DFU mode.");
                }

                return ExitCodes.Ok;
            }
        });
        return command;
    }

    // One board's detach, the same alone and in a many-board run.
    private static async Task<DeviceActionJson> DetachOnBoardAsync(CliContext context, DfuDevice device,
        Func<Func<IProgress<DfuProgress>, Task<bool>>, Task<bool>> progress, CancellationToken ct)
    {
        long start = context.Devices.TimeProvider.GetTimestamp();
        bool wasRuntime = device.Mode == DfuMode.Runtime;
        if (wasRuntime)
        {
            await progress(async p =>
            {
                await device.DetachAsync(p, ct).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }

        double seconds = context.Devices.TimeProvider.GetElapsedTime(start).TotalSeconds;
        return new DeviceActionJson("detach", DeviceJson.From(device.Info, device.Mode), wasRuntime ? "detached" : "already-in-dfu-mode", Math.Round(seconds, 3));
    }

    private static Command CreateErase(CliContext context)
    {
        var set = new DeviceOptionSet();
        var mass = new Option<bool>("--mass") { Description = "Erase the whole memory (DfuSe mass erase; can take many seconds)." };
        var address = CliOptions.UInt32("--address", "The first address of the range to erase.");
        var length = CliOptions.UInt32("--length", "The length of the range; every sector it touches is erased once.", "N");
        var command = set.AddManyTo(set.AddTo(new Command("erase", "Erase DfuSe flash: --mass, or --address A --length N; with --all or several --device, on many boards at once.") { mass, address, length }));
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

            DeviceRequest request = set.Request(parse);
            ManyRequest many = set.Many(parse);
            bool json = parse.GetValue(set.Json);
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, request, ct).ConfigureAwait(false);
            if (many.IsMany || many.JsonLines)
            {
                IReadOnlyList<UsbDeviceInfo> boards = await bus.ListBoardsAsync(many.All, ct).ConfigureAwait(false);
                return await ManyBoards.RunAsync(context, "erase", bus, boards, many, json, async (board, device, token) =>
                {
                    EraseJson result = await EraseOnBoardAsync(board.Context, device, isMass, at, count, operation => operation(board.Progress), token).ConfigureAwait(false);
                    return new BoardOutcome<EraseJson>(result, ExitCodes.Ok, isMass
                        ? $"mass-erased alt {result.AlternateSetting} in {result.ElapsedSeconds:0.00} s"
                        : $"erased {result.ErasedSectors} sector(s) covering 0x{at:X8}+{count} in {result.ElapsedSeconds:0.00} s");
                }, CliJson.Context.EraseJson, ct).ConfigureAwait(false);
            }

            DfuDevice single = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (single.ConfigureAwait(false))
            {
                EraseJson result = await EraseOnBoardAsync(context, single, isMass, at, count, operation => CliProgress.RunAsync(context, operation), ct).ConfigureAwait(false);
                if (json)
                {
                    WriteJson(context, result, CliJson.Context.EraseJson);
                }
                else
                {
                    context.Out.WriteLine(isMass
                        ? $"Mass-erased alt {result.AlternateSetting} of {single.Info.DisplayName} in {result.ElapsedSeconds:0.00} s."
                        : $"Erased {result.ErasedSectors} sector(s) covering 0x{at:X8}+{count} on {single.Info.DisplayName} in {result.ElapsedSeconds:0.00} s.");
                }

                return ExitCodes.Ok;
            }
        });
        return command;
    }

    // One board's erase, the same alone and in a many-board run.
    private static async Task<EraseJson> EraseOnBoardAsync(CliContext context, DfuDevice device, bool isMass, uint? at, uint? count,
        Func<Func<IProgress<DfuProgress>, Task<int>>, Task<int>> progress, CancellationToken ct)
    {
        long start = context.Devices.TimeProvider.GetTimestamp();

        // Ctrl+C during a mass erase: the device keeps erasing; say that the host waits for it, and for how long.
        using CancellationTokenRegistration waiting = ct.Register(() => context.Error.WriteLine(isMass
            ? $"dfusharp: erase: cancelling; waiting up to {device.Options.BusyTimeout.TotalSeconds:0} s for the device to finish the mass erase it started"
            : "dfusharp: erase: cancelling after the sector being erased"));
        int sectors = await progress(async p =>
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
        return new EraseJson("erase", DeviceJson.From(device.Info, device.Mode), device.Interface.Setting.Number, isMass, at, count, sectors, Math.Round(seconds, 3));
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
}
