using System.CommandLine;
using System.Globalization;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Simulation.Serving;

namespace DfuSharp.Cli.Commands;

/// <summary>
/// <c>dfusharp sim serve --profile P [--sim-state FILE] --stdio</c>: runs a simulated device as the device model of
/// tools/usb-emulator, answering the emulator's frames on stdin/stdout until stdin ends. Nothing else may be written
/// to stdout; diagnostics go to stderr.
/// </summary>
internal static class SimServeCommand
{
    /// <summary>Exit code for a usage error (sysexits EX_USAGE).</summary>
    private const int ExitUsage = 64;

    /// <summary>Exit code for a malformed frame or state file (sysexits EX_DATAERR).</summary>
    private const int ExitData = 65;

    /// <summary>Creates the <c>sim</c> command with its <c>serve</c> subcommand.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "The simulated device profile (stm32f4, stm32f1-app, dfu11, runtime, …).", Required = true };
        var state = new Option<FileInfo?>("--sim-state") { Description = "Load the device's memory from FILE if it exists, and save it there on exit." };
        var stdio = new Option<bool>("--stdio") { Description = "Speak the framed emulator protocol on stdin/stdout (the only transport)." };
        var instant = new Option<bool>("--instant") { Description = "Ignore the profile's timings: no busy time, zero poll timeouts (for tests)." };
        var faults = new Option<string[]>("--fault")
        {
            Description = "Inject a fault (repeatable): getstatus-never-answers[:BLOCK], stall-at-block:N, status-at-block:N:STATUS (errVERIFY, errCHECK_ERASED, …), disconnect-at-block:N, disconnect-at-leave, corrupt-write.",
            AllowMultipleArgumentsPerToken = false,
        };
        var serve = new Command("serve", "Serve a simulated device to tools/usb-emulator, so libusb programs (dfusharp, dfu-util) reach it through the Linux USB stack.")
        {
            profile, state, stdio, instant, faults,
        };
        serve.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!parseResult.GetValue(stdio))
            {
                await Console.Error.WriteLineAsync("dfusharp: sim serve needs --stdio (the emulator's framed protocol on stdin/stdout).");
                return ExitUsage;
            }

            SimulatedFaults injected;
            try
            {
                injected = SimulatedFaults.Of([.. (parseResult.GetValue(faults) ?? []).Select(SimFaultSpec.Parse)]);
            }
            catch (FormatException ex)
            {
                await Console.Error.WriteLineAsync($"dfusharp: --fault: {ex.Message}");
                return ExitUsage;
            }

            return await ServeAsync(
                parseResult.GetValue(profile)!, parseResult.GetValue(state), parseResult.GetValue(instant), injected,
                Console.OpenStandardInput(), Console.OpenStandardOutput(), cancellationToken);
        });

        return new Command("sim", "Simulated devices.") { serve };
    }

    /// <summary>Serves one device over a pair of streams.</summary>
    /// <param name="profileName">The profile.</param>
    /// <param name="stateFile">Where the memory is kept between runs, or <see langword="null"/>.</param>
    /// <param name="instant">Drop the profile's timings.</param>
    /// <param name="faults">Faults to inject.</param>
    /// <param name="input">Request frames.</param>
    /// <param name="output">Response frames.</param>
    /// <param name="cancellationToken">Stops serving.</param>
    /// <returns>The exit code.</returns>
    internal static async Task<int> ServeAsync(
        string profileName, FileInfo? stateFile, bool instant, SimulatedFaults faults, Stream input, Stream output,
        CancellationToken cancellationToken)
    {
        SimulatedDeviceProfile profile;
        try
        {
            profile = SimulatedProfiles.Get(profileName);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"dfusharp: {ex.Message}");
            return ExitUsage;
        }

        if (instant)
        {
            profile = WithoutTimings(profile);
        }

        var device = new SimulatedDfuDevice(profile, new SimulatedDeviceOptions { PortPath = "1-1", Faults = faults });
        if (stateFile is { Exists: true })
        {
            try
            {
                await using FileStream saved = stateFile.OpenRead();
                device.LoadState(saved);
            }
            catch (InvalidDataException ex)
            {
                await Console.Error.WriteLineAsync($"dfusharp: {stateFile.FullName}: {ex.Message}");
                return ExitData;
            }
        }

        FramedDeviceServer server = SimulatedDeviceServing.CreateServer(device);
        try
        {
            await server.RunAsync(input, output, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            await Console.Error.WriteLineAsync($"dfusharp: sim serve: {ex.Message}");
            return ExitData;
        }
        catch (IOException)
        {
            // The emulator went away mid-frame (killed); the memory is still worth saving.
        }

        if (stateFile is not null)
        {
            await using FileStream saved = stateFile.Create();
            device.SaveState(saved);
        }

        return 0;
    }

    private static SimulatedDeviceProfile WithoutTimings(SimulatedDeviceProfile profile)
    {
        SimulatedTiming instant = SimulatedTiming.Instant with { ReenumerationTime = TimeSpan.FromMilliseconds(20) };
        return profile with
        {
            Timing = instant,
            DfuModeProfile = profile.DfuModeProfile is { } dfu ? dfu with { Timing = instant } : null,
        };
    }
}

/// <summary>Parses the fault specifications of <c>sim serve --fault</c>.</summary>
internal static class SimFaultSpec
{
    /// <summary>Parses one specification.</summary>
    /// <param name="text">For example <c>stall-at-block:3</c>, <c>status-at-block:2:errVERIFY</c> or <c>status-at-block:2:ErrVerify</c>.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="FormatException">The text is not a known fault.</exception>
    public static SimulatedFault Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        return (parts[0], parts.Length) switch
        {
            ("getstatus-never-answers", 1) => SimulatedFault.GetStatusNeverAnswers(),
            ("getstatus-never-answers", 2) => SimulatedFault.GetStatusNeverAnswers(Block(parts[1])),
            ("stall-at-block", 2) => SimulatedFault.StallAtBlock(Block(parts[1])),
            ("status-at-block", 3) => SimulatedFault.StatusAtBlock(Block(parts[1]), Status(parts[2])),
            ("disconnect-at-block", 2) => SimulatedFault.DisconnectAtBlock(Block(parts[1])),
            ("disconnect-at-leave", 1) => SimulatedFault.DisconnectAtLeave(),
            ("corrupt-write", 1) => SimulatedFault.CorruptWrite(),
            _ => throw new FormatException($"\"{text}\" is not a known fault."),
        };
    }

    private static int Block(string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int block)
            ? block
            : throw new FormatException($"\"{text}\" is not a block number.");

    /// <summary>
    /// A status by the spec's name that dfusharp and dfu-util print (<c>errCHECK_ERASED</c>, DFU 1.1 §6.1.2) or by
    /// its <see cref="DfuStatus"/> name (<c>ErrCheckErased</c>), in any case.
    /// </summary>
    private static DfuStatus Status(string text)
    {
        foreach (DfuStatus status in Enum.GetValues<DfuStatus>())
        {
            if (string.Equals(status.ToSpecName(), text, StringComparison.OrdinalIgnoreCase))
            {
                return status;
            }
        }

        return Enum.TryParse(text, ignoreCase: true, out DfuStatus named) && Enum.IsDefined(named) && !char.IsDigit(text[0])
            ? named
            : throw new FormatException($"\"{text}\" is not a DFU status (for example errVERIFY or ErrVerify).");
    }
}
