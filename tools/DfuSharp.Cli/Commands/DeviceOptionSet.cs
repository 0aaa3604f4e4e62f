using System.CommandLine;
using System.Globalization;

using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Commands;

/// <summary>
/// The options every device command shares: which device, which alternate setting, simulated state, control-transfer
/// timeout, waiting for the board, JSON; and, for the commands that run on many boards at once, <c>--all</c>,
/// <c>--max-parallel</c> and <c>--json-lines</c> (<see cref="AddManyTo"/>).
/// </summary>
internal sealed class DeviceOptionSet
{
    /// <summary>How long a bare <c>--wait</c> waits: 30 s.</summary>
    public const double DefaultWaitSeconds = 30;

    private bool _many;

    public Option<string[]> Device { get; } = new("--device", "-d")
    {
        Description = "Which device: sim:PROFILE[*N] (stm32f4, stm32f2, stm32f072, stm32f373, stm32h7, stm32l4, gd32, stm32f1-app[-honest|-dishonest], dfu11[-dishonest], runtime, hid-runtime; *N: N boards at sim-1…sim-N), "
                      + "or VID:PID[,VID:PID][,serial=S][,path=P][,alt=N|NAME] (run-time ids, then DFU-mode ids; * for any); "
                      + "by default the one DFU device present. download, upload, erase and detach take it several times (one board each).",
        HelpName = "SEL",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
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
        Description = "Keep a simulated device's memory in FILE: loaded before the command if it exists, saved after it. "
                      + "With sim:PROFILE*N, a folder: one file per board (sim-1.state …).",
        HelpName = "FILE|DIR",
    };

    public Option<uint?> Timeout { get; } = CliOptions.UInt32("--timeout", "The timeout of each control transfer, in milliseconds (default 5000; long erases wait at least 45000).", "MS");

    public Option<double?> Wait { get; } = new("--wait")
    {
        Description = $"Wait for a matching board to appear (like dfu-util -w, with a limit): up to SECONDS (default {DefaultWaitSeconds:0}); exit 69 if none does. "
                      + "With several --device, until each matches a board.",
        HelpName = "SECONDS",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = ParseWait,
    };

    public Option<bool> Json { get; } = CliOptions.Json();

    public Option<bool> All { get; } = new("--all")
    {
        Description = "Run on every board the selectors match, at once (told apart by port path); each board gets its own plan, progress line and result.",
    };

    public Option<int?> MaxParallel { get; } = new("--max-parallel")
    {
        Description = "With many boards: how many run at once (default: every board); a rig behind one single-TT hub may want fewer.",
        HelpName = "N",
    };

    public Option<bool> JsonLines { get; } = new("--json-lines")
    {
        Description = "Stream JSON lines on standard output: one object per phase change and per board result, then a summary.",
    };

    /// <summary>Adds the options to a command.</summary>
    /// <param name="command">The command.</param>
    /// <param name="alternate">Whether the command takes <c>--alt</c>.</param>
    /// <param name="timeout">Whether the command sends control transfers, so that <c>--timeout</c> applies.</param>
    public Command AddTo(Command command, bool alternate = true, bool timeout = true)
    {
        command.Add(Device);
        command.Add(Serial);
        command.Add(Path);
        if (alternate)
        {
            command.Add(Alternate);
        }

        command.Add(SimState);
        if (timeout)
        {
            command.Add(Timeout);
        }

        command.Add(Wait);
        command.Add(Json);
        return command;
    }

    /// <summary>Adds the options of a command that runs on many boards at once: <c>--all</c>, <c>--max-parallel</c>, <c>--json-lines</c>.</summary>
    public Command AddManyTo(Command command)
    {
        _many = true;
        command.Add(All);
        command.Add(MaxParallel);
        command.Add(JsonLines);
        return command;
    }

    /// <summary>Reads what the options asked for.</summary>
    /// <exception cref="CliException"><c>--device</c> was given several times to a command that runs on one board, or
    /// <c>--timeout</c> is 0 (64).</exception>
    public DeviceRequest Request(ParseResult parse)
    {
        string[] devices = parse.GetValue(Device) ?? [];
        if (devices.Length > 1 && !_many)
        {
            throw CliException.Usage($"{parse.CommandResult.Command.Name} runs on one board; give --device once (download, upload, erase and detach take several)");
        }

        uint? timeout = parse.CommandResult.Command.Options.Contains(Timeout) ? parse.GetValue(Timeout) : null;
        if (timeout == 0)
        {
            throw CliException.Usage("--timeout must be at least 1 ms");
        }

        return new DeviceRequest(devices.FirstOrDefault(), parse.GetValue(Alternate), parse.GetValue(SimState))
        {
            Devices = devices,
            Serial = parse.GetValue(Serial),
            Path = parse.GetValue(Path),
            Timeout = timeout is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            Wait = parse.GetValue(Wait) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        };
    }

    /// <summary>Reads the many-board options.</summary>
    /// <exception cref="CliException"><c>--max-parallel</c> is below 1, or <c>--json-lines</c> is given with <c>--json</c> (64).</exception>
    public ManyRequest Many(ParseResult parse)
    {
        bool all = parse.GetValue(All);
        int count = (parse.GetValue(Device) ?? []).Length;
        int? parallel = parse.GetValue(MaxParallel);
        if (parallel is < 1)
        {
            throw CliException.Usage("--max-parallel must be at least 1");
        }

        bool jsonLines = parse.GetValue(JsonLines);
        if (jsonLines && parse.GetValue(Json))
        {
            throw CliException.Usage("--json and --json-lines: choose one");
        }

        return new ManyRequest(all || count > 1, all, parallel, jsonLines);
    }

    /// <summary>
    /// Gives a bare <c>--wait</c> its default where the parser would take the next word for its value: in
    /// <c>download --wait fw.bin</c>, fw.bin is the command's file, so the line is read as
    /// <c>download --wait 30 fw.bin</c>. A <c>--wait</c> at the end or before another option needs nothing; nothing after
    /// <c>--</c> or in a <c>dfu-util</c> command line (whose <c>--wait</c> takes no value) is touched.
    /// </summary>
    public static string[] BareWait(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        List<string>? fixedArgs = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--" or "dfu-util")
            {
                break;
            }

            if (args[i] == "--wait" && i + 1 < args.Length && !args[i + 1].StartsWith('-')
                && !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                fixedArgs ??= [.. args];
                fixedArgs.Insert(i + 1 + (fixedArgs.Count - args.Length), DefaultWaitSeconds.ToString(CultureInfo.InvariantCulture));
            }
        }

        return fixedArgs?.ToArray() ?? args;
    }

    // --wait alone waits DefaultWaitSeconds; --wait SECONDS up to that.
    private static double? ParseWait(System.CommandLine.Parsing.ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return DefaultWaitSeconds;
        }

        string text = result.Tokens[0].Value;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            || !(seconds > 0) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            result.AddError($"--wait: {text} is not a number of seconds above 0");
            return null;
        }

        return seconds;
    }
}
