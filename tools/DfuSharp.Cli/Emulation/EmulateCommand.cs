using System.CommandLine;
using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Emulation;

/// <summary>
/// <c>dfusharp emulate --profile P [--sim-state F] [--instant] [--fault SPEC]… -- COMMAND</c>: runs COMMAND with
/// simulated boards on the Linux USB stack. The C part (tools/usb-emulator/usb-emulator.c, over umockdev) is built
/// on first use; each board's device model is this CLI's <c>sim serve</c>. Exits with COMMAND's exit code.
/// </summary>
internal static class EmulateCommand
{
    /// <summary>The variable naming the CLI that serves the boards (a DfuSharp.Cli.dll or a dfusharp executable).</summary>
    public const string CliVariable = "DFUSHARP_CLI";

    /// <summary>Creates the <c>emulate</c> command.</summary>
    /// <param name="context">Where diagnostics go.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var profiles = new Option<string[]>("--profile")
        {
            Description = "A simulated board (stm32f4, stm32f2, stm32f072, stm32f373, stm32h7, stm32l4, gd32, stm32f1-app, dfu11, runtime, hid-runtime, …); repeat it for more boards, at ports 1-1, 1-2, ….",
        };
        var state = new Option<string?>("--sim-state") { Description = "Load the board's memory from FILE and save it there when the command ends (one board only)." };
        var instant = new Option<bool>("--instant") { Description = "Drop the profiles' timings (erase and programming time, poll timeouts): for tests." };
        var faults = new Option<string[]>("--fault")
        {
            Description = "Inject a fault into every simulated board (repeatable): getstatus-never-answers[:BLOCK], stall-at-block:N, status-at-block:N:STATUS (errVERIFY, errCHECK_ERASED, …), disconnect-at-block:N, disconnect-at-leave, corrupt-write.",
        };
        var stats = new Option<string?>("--stats") { Description = "Write the number of control transfers, bus resets and re-enumerations to FILE." };
        var models = new Option<string[]>("--model-cmd") { Description = "A board served by another device model speaking the emulator's protocol (repeatable; these take the first ports)." };
        var verbose = new Option<bool>("-v", "--verbose") { Description = "Log every control transfer to standard error." };
        var command = new Argument<string[]>("command")
        {
            Description = "The command to run, after --, and its arguments.",
            Arity = ArgumentArity.OneOrMore,
        };
        var emulate = new Command("emulate", "Run a command with simulated boards on the Linux USB stack (umockdev): dfu-util, fwupd, pyusb, lsusb and your own libusb code reach them as real devices.")
        {
            profiles, state, instant, faults, stats, models, verbose, command,
        };
        emulate.SetAction((parseResult, cancellationToken) => RunAsync(
            context,
            new EmulateRequest(
                parseResult.GetValue(profiles) ?? [],
                parseResult.GetValue(state),
                parseResult.GetValue(instant),
                parseResult.GetValue(faults) ?? [],
                parseResult.GetValue(stats),
                parseResult.GetValue(models) ?? [],
                parseResult.GetValue(verbose),
                parseResult.GetValue(command) ?? []),
            cancellationToken));
        return emulate;
    }

    /// <summary>Runs an emulation to completion.</summary>
    /// <param name="context">Where diagnostics go.</param>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops the command (it is killed).</param>
    /// <returns>The command's exit code, or a dfusharp exit code when the emulator cannot run.</returns>
    internal static async Task<int> RunAsync(CliContext context, EmulateRequest request, CancellationToken cancellationToken)
    {
        if (EmulatorPlan.Validate(request) is { } usage)
        {
            await context.Error.WriteLineAsync($"dfusharp: emulate: {usage}");
            return ExitCodes.Usage;
        }

        if (!OperatingSystem.IsLinux())
        {
            await context.Error.WriteLineAsync("dfusharp: emulate: the USB emulator needs Linux (umockdev).");
            return ExitCodes.NoDevice;
        }

        string? source = EmulatorBuild.ReadSource();
        if (source is null)
        {
            await context.Error.WriteLineAsync(
                $"dfusharp: emulate: the emulator's C source ({EmulatorBuild.SourceName}) is not part of this build; set {EmulatorBuild.SourceVariable} to tools/usb-emulator/{EmulatorBuild.SourceName} of a DfuSharp checkout.");
            return ExitCodes.NoDevice;
        }

        if (EmulatorBuild.MissingTools(FindOnPath) is { } missing)
        {
            await context.Error.WriteLineAsync($"dfusharp: emulate: {missing}");
            return ExitCodes.NoDevice;
        }

        string emulator;
        try
        {
            emulator = EmulatorBuild.Ensure(source, FindOnPath, path => context.Error.WriteLine($"dfusharp: emulate: built the USB emulator: {path}"));
        }
        catch (InvalidOperationException ex)
        {
            await context.Error.WriteLineAsync($"dfusharp: emulate: {ex.Message}");
            return ExitCodes.Software;
        }

        string cli = CliCommand();
        var start = new ProcessStartInfo(emulator) { UseShellExecute = false };
        foreach (string argument in EmulatorPlan.EmulatorArguments(request, cli))
        {
            start.ArgumentList.Add(argument);
        }

        // .NET under libumockdev-preload.so hangs in its diagnostics start-up unless this is off.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        if (FindOnPath("dfusharp") is null)
        {
            // Inside the command, `dfusharp` is this CLI.
            start.Environment["PATH"] = WriteDfuSharpShim(cli) + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {emulator}");
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return ExitCodes.Cancelled;
        }

        return process.ExitCode;
    }

    /// <summary>How the boards' device models start this CLI, quoted for the shell.</summary>
    /// <returns><c>$DFUSHARP_CLI</c>, the running dotnet host with the CLI assembly, or the dfusharp executable.</returns>
    internal static string CliCommand()
    {
        string? named = Environment.GetEnvironmentVariable(CliVariable);
        string? host = Environment.ProcessPath;
        bool viaDotnet = host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet";
        return named switch
        {
            { Length: > 0 } when named.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                => $"{EmulatorPlan.ShellQuote(viaDotnet ? host! : "dotnet")} {EmulatorPlan.ShellQuote(named)}",
            { Length: > 0 } => EmulatorPlan.ShellQuote(named),
            _ when viaDotnet || host is null
                => $"{EmulatorPlan.ShellQuote(host ?? "dotnet")} {EmulatorPlan.ShellQuote(Path.Combine(AppContext.BaseDirectory, typeof(EmulateCommand).Assembly.GetName().Name + ".dll"))}",
            _ => EmulatorPlan.ShellQuote(host),
        };
    }

    [SupportedOSPlatform("linux")]
    private static string WriteDfuSharpShim(string cli)
    {
        // One folder per CLI: checkouts side by side each get their own dfusharp.
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cli)))[..16];
        string bin = Path.Combine(EmulatorBuild.CacheRoot(), "bin", key);
        Directory.CreateDirectory(bin);
        string shim = Path.Combine(bin, "dfusharp");
        string temporary = $"{shim}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        File.WriteAllText(temporary, $"#!/bin/sh\nexec {cli} \"$@\"\n");
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.Move(temporary, shim, overwrite: true);
        return bin;
    }

    private static string? FindOnPath(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, program);
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
