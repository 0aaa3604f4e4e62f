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
}
