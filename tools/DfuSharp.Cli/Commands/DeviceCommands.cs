using System.CommandLine;
using System.Text.Json;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.DfuSe;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Commands;

/// <summary>
/// The device commands: <c>list</c>, <c>info</c>, <c>download</c>, <c>upload</c>, <c>detach</c>, <c>erase</c>,
/// <c>unprotect</c>, <c>leave</c>, <c>reset</c>, and <c>dfu-util</c> (a dfu-util 0.11 command line). Results go to standard output (text, or one JSON object with <c>--json</c>); progress goes to
/// standard error. Failures are thrown and mapped to exit codes by <see cref="CliErrors"/>.
/// </summary>
internal static partial class DeviceCommands
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
        yield return CreateLeave(context);
        yield return CreateReset(context);
    }

    /// <summary>Creates <c>dfu-util</c>, the drop-in for dfu-util 0.11 command lines.</summary>
    public static Command CreateDfuUtilCommand(CliContext context) => CreateDfuUtil(context);

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

    // Every command prints a board one way: its identity as messages name it (UsbDeviceInfo.DisplayName: ids, serial,
    // port path), then its mode, product string and bcdDevice.
    private static string DeviceLine(DeviceJson d)
        => $"{d.VendorId:x4}:{d.ProductId:x4}"
           + (d.SerialNumber is { Length: > 0 } s ? $" serial \"{s}\"" : string.Empty)
           + (d.Path is { Length: > 0 } path ? $" at {path}" : string.Empty)
           + $" ({d.Mode} mode"
           + (d.Product is { } p ? $", \"{p}\"" : string.Empty)
           + $", bcdDevice {d.DeviceVersion:x4})";

    private static string Size(ulong bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)} MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KiB",
        _ => $"{bytes} B",
    };

    private static void WriteJson<T>(CliContext context, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        => context.Out.WriteLine(JsonSerializer.Serialize(value, type));
}
