using System.CommandLine;
using System.Globalization;
using System.Text.Json;

using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.Planning;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Commands;

/// <content><c>list</c>: the DFU devices and their alternate settings; <c>list --watch</c>: their arrivals and departures.</content>
internal static partial class DeviceCommands
{
    private static Command CreateList(CliContext context)
    {
        var set = new DeviceOptionSet();
        var command = set.AddTo(new Command("list", "List DFU devices and their alternate settings (like dfu-util -l)."), timeout: false);
        var watch = new Option<bool>("--watch", "-w")
        {
            Description = "Keep running and print each DFU device as it arrives or leaves (first those present); Ctrl+C ends.",
        };
        var jsonLines = new Option<bool>("--json-lines")
        {
            Description = "With --watch: one JSON object a line: {\"event\":\"arrived\"|\"left\",\"device\":…,\"alternateSettings\":[…]}.",
        };
        command.Add(watch);
        command.Add(jsonLines);
        command.SetAction(async (parse, ct) =>
        {
            await using DeviceBus bus = await DeviceBus.CreateAsync(context.Devices, set.Request(parse), ct).ConfigureAwait(false);
            await bus.WaitAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(watch))
            {
                return await WatchAsync(context, bus, parse.GetValue(jsonLines), ct).ConfigureAwait(false);
            }

            if (parse.GetValue(jsonLines))
            {
                throw CliException.Usage("--json-lines applies only to list --watch");
            }

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
                WriteListed(context.Out, device);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    // Runs until Ctrl+C, which ends it with exit 0: stopping is the normal end of a watch.
    private static async Task<int> WatchAsync(CliContext context, DeviceBus bus, bool jsonLines, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (UsbDeviceChange change in bus.Provider.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                List<DfuInterfaceInfo> interfaces = [.. change.Device.DfuInterfaces.Where(i => bus.Selector.Matches(change.Device, i))];
                if (interfaces.Count == 0)
                {
                    continue;
                }

                var listed = new ListedDeviceJson(DeviceJson.From(change.Device, interfaces[0].Setting.Mode), [.. interfaces.Select(Alternate)]);
                string verb = change.Kind == UsbDeviceChangeKind.Arrived ? "arrived" : "left";
                if (jsonLines)
                {
                    context.Out.WriteLine(JsonLine(verb, listed));
                }
                else
                {
                    context.Out.Write(verb + " ");
                    WriteListed(context.Out, listed);
                }

                await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        return ExitCodes.Ok;
    }

    private static void WriteListed(TextWriter output, ListedDeviceJson device)
    {
        output.WriteLine(DeviceLine(device.Device));
        foreach (AlternateSettingJson alt in device.AlternateSettings)
        {
            output.WriteLine($"  intf {alt.Interface} alt {alt.AlternateSetting}: {alt.Name ?? "(no name)"}");
        }
    }

    private static string JsonLine(string verb, ListedDeviceJson device)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = CliJson.Context.Options.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("event", verb);
            writer.WritePropertyName("device");
            JsonSerializer.Serialize(writer, device.Device, CliJson.Context.DeviceJson);
            writer.WritePropertyName("alternateSettings");
            JsonSerializer.Serialize(writer, device.AlternateSettings, CliJson.Context.IReadOnlyListAlternateSettingJson);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
