using System.CommandLine;

using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Commands;

/// <content><c>leave</c> and <c>reset</c>: the small verbs test rigs run between flashes.</content>
internal static partial class DeviceCommands
{
    private static Command CreateLeave(CliContext context)
    {
        var set = new DeviceOptionSet();
        var address = CliOptions.UInt32("--address", "Where the device jumps; by default the start of its memory layout.");
        var command = set.AddTo(new Command("leave", "Leave DfuSe DFU mode: the device jumps to its firmware (ST AN3156 §6.3.5), like dfu-util -s ADDR:leave.")
        {
            address,
        });
        command.SetAction(async (parse, ct) =>
        {
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            DfuDevice device = await bus.OpenAsync(ct).ConfigureAwait(false);
            await using (device.ConfigureAwait(false))
            {
                if (device.Mode != DfuMode.Dfu || !device.IsDfuSe)
                {
                    throw CliException.Usage($"leave: {device.Info.DisplayName} is not a DfuSe device in DFU mode; use `dfusharp reset` to restart it");
                }

                long start = context.Devices.TimeProvider.GetTimestamp();
                DeviceJson before = DeviceJson.From(device.Info, device.Mode);
                DfuLeaveOutcome outcome = await device.DfuSe.LeaveAsync(parse.GetValue(address), null, ct).ConfigureAwait(false);
                double seconds = context.Devices.TimeProvider.GetElapsedTime(start).TotalSeconds;
                WriteAction(context, parse.GetValue(set.Json), new DeviceActionJson("leave", before, OutcomeName(outcome), Math.Round(seconds, 3)),
                    $"{device.Info.DisplayName} {OutcomeText(outcome)}.");
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command CreateReset(CliContext context)
    {
        var set = new DeviceOptionSet();
        var command = set.AddTo(new Command("reset", "Reset the device on the USB bus (a port reset, like dfu-util -R); it enumerates again as its firmware decides."), alternate: false);
        command.SetAction(async (parse, ct) =>
        {
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            DfuDevice device = await bus.OpenAsync(ct).ConfigureAwait(false);
            UsbDeviceInfo info = device.Info;
            DeviceJson before = DeviceJson.From(info, device.Mode);
            await device.DisposeAsync().ConfigureAwait(false);
            long start = context.Devices.TimeProvider.GetTimestamp();
            await ResetUsbAsync(bus.Provider, info, ct).ConfigureAwait(false);
            double seconds = context.Devices.TimeProvider.GetElapsedTime(start).TotalSeconds;
            WriteAction(context, parse.GetValue(set.Json), new DeviceActionJson("reset", before, "reset", Math.Round(seconds, 3)),
                $"{info.DisplayName} was reset.");
            return ExitCodes.Ok;
        });
        return command;
    }

    // A USB port reset goes through a transport of its own: the DFU session is closed first, and the transport is dead
    // afterwards (the device enumerates again).
    private static async Task ResetUsbAsync(IUsbDeviceProvider provider, UsbDeviceInfo device, CancellationToken cancellationToken)
    {
        IUsbTransport transport = await provider.OpenAsync(device, cancellationToken).ConfigureAwait(false);
        await using (transport.ConfigureAwait(false))
        {
            await transport.ResetAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void WriteAction(CliContext context, bool json, DeviceActionJson result, string text)
    {
        if (json)
        {
            WriteJson(context, result, CliJson.Context.DeviceActionJson);
        }
        else
        {
            context.Out.WriteLine(text);
        }
    }
}
