using System.CommandLine;
using System.Globalization;

using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.Planning;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Commands;

/// <content><c>list</c>: the DFU devices and their alternate settings.</content>
internal static partial class DeviceCommands
{
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
}
