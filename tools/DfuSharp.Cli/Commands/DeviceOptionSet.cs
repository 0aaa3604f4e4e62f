using System.CommandLine;

using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Commands;

/// <summary>The options every device command shares: which device, which alternate setting, simulated state, JSON.</summary>
internal sealed class DeviceOptionSet
{
    public Option<string?> Device { get; } = new("--device", "-d")
    {
        Description = "Which device: sim:PROFILE (stm32f4, stm32f1-app, dfu11, runtime, hid-runtime), or VID:PID[,VID:PID][,serial=S][,path=P][,alt=N|NAME] "
                      + "(run-time ids, then DFU-mode ids; * for any); by default the one DFU device present.",
        HelpName = "SEL",
    };

    public Option<string?> Serial { get; } = new("--serial")
    {
        Description = "The serial number of the board (iSerialNumber), as serial=S in --device.",
        HelpName = "S",
    };

    public Option<string?> Path { get; } = new("--path")
    {
        Description = "The USB port path of the board (as dfu-util -p and `list` show it, e.g. 1-1.4), as path=P in --device; "
                      + "it tells apart boards with the same serial number.",
        HelpName = "BUS-PORT.PORT…",
    };

    public Option<string?> Alternate { get; } = new("--alt", "-a")
    {
        Description = "The DFU alternate setting, by number or by name (a DfuSe layout's memory name such as \"Internal Flash\").",
        HelpName = "N|NAME",
    };

    public Option<string?> SimState { get; } = new("--sim-state")
    {
        Description = "Keep a simulated device's memory in FILE: loaded before the command if it exists, saved after it.",
        HelpName = "FILE",
    };

    public Option<bool> Json { get; } = CliOptions.Json();

    /// <summary>Adds the options to a command.</summary>
    public Command AddTo(Command command, bool alternate = true)
    {
        command.Add(Device);
        command.Add(Serial);
        command.Add(Path);
        if (alternate)
        {
            command.Add(Alternate);
        }

        command.Add(SimState);
        command.Add(Json);
        return command;
    }

    /// <summary>Reads what the options asked for.</summary>
    public DeviceRequest Request(ParseResult parse)
        => new(parse.GetValue(Device), parse.GetValue(Alternate), parse.GetValue(SimState))
        {
            Serial = parse.GetValue(Serial),
            Path = parse.GetValue(Path),
        };
}
