using DfuSharp.LibUsb;
using DfuSharp.Usb;

namespace DfuSharp.Tests.LibUsb;

/// <summary>
/// Runs a shell script under tools/usb-emulator/emulate with a simulated device served by <c>dfusharp sim serve</c>.
/// The script sees <c>$PROBE</c> (the libusb probe) and <c>$DFUSHARP</c> (the CLI), both as <c>dotnet …dll</c>.
/// The test host itself is not under umockdev, so everything that talks USB runs in these child processes.
/// </summary>
internal static class UsbEmulator
{
    private static readonly Lazy<string?> s_skipReason = new(FindSkipReason);

    /// <summary>Gets why emulator tests cannot run here, or <see langword="null"/>.</summary>
    public static string? SkipReason => s_skipReason.Value;

    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    private static string ProbePath => TestPaths.InRepo("tests", "DfuSharp.UsbProbe", "bin", Configuration, "net10.0", "DfuSharp.UsbProbe.dll");

    private static string CliPath => TestPaths.InRepo("tools", "DfuSharp.Cli", "bin", Configuration, "net10.0", "DfuSharp.Cli.dll");

    /// <summary>Runs <paramref name="script"/> against an emulated <paramref name="profile"/> device.</summary>
    /// <param name="profile">The simulated profile.</param>
    /// <param name="script">A POSIX shell script.</param>
    /// <param name="workingDirectory">Where the script runs (files it writes land here).</param>
    /// <param name="faults">Faults for <c>sim serve --fault</c>.</param>
    /// <returns>The script's result, plus the emulator's statistics.</returns>
    public static EmulatorResult Run(string profile, string script, string workingDirectory, params string[] faults)
        => RunWithState(profile, script, workingDirectory, stateFile: null, faults);

    /// <summary>Runs <paramref name="script"/> against an emulated device whose memory lives in <paramref name="stateFile"/>.</summary>
    /// <param name="profile">The simulated profile.</param>
    /// <param name="script">A POSIX shell script.</param>
    /// <param name="workingDirectory">Where the script runs.</param>
    /// <param name="stateFile">The <c>--sim-state</c> file, or <see langword="null"/>.</param>
    /// <param name="faults">Faults for <c>sim serve --fault</c>.</param>
    /// <returns>The script's result, plus the emulator's statistics.</returns>
    public static EmulatorResult RunWithState(string profile, string script, string workingDirectory, string? stateFile, params string[] faults)
    {
        var arguments = new List<string> { "--instant", "--profile", profile };
        if (stateFile is not null)
        {
            arguments.AddRange(["--sim-state", stateFile]);
        }

        foreach (string fault in faults)
        {
            arguments.AddRange(["--fault", fault]);
        }

        return RunEmulator(arguments, script, workingDirectory);
    }

    /// <summary>Runs <paramref name="script"/> against several emulated devices, at ports 1-1, 1-2, … in order.</summary>
    /// <param name="profiles">The simulated profiles.</param>
    /// <param name="script">A POSIX shell script.</param>
    /// <param name="workingDirectory">Where the script runs.</param>
    /// <returns>The script's result, plus the emulator's statistics.</returns>
    public static EmulatorResult RunMany(IEnumerable<string> profiles, string script, string workingDirectory)
        => RunEmulator(["--instant", .. profiles.SelectMany(p => new[] { "--profile", p })], script, workingDirectory);

    /// <summary>Runs <paramref name="script"/> against a device served by the probe's own model command.</summary>
    /// <param name="probeModelArguments">The probe's arguments that make it a device model.</param>
    /// <param name="script">A POSIX shell script.</param>
    /// <param name="workingDirectory">Where the script runs.</param>
    /// <returns>The script's result, plus the emulator's statistics.</returns>
    public static EmulatorResult RunWithProbeModel(string probeModelArguments, string script, string workingDirectory)
        => RunEmulator(["--model-cmd", $"dotnet {ProbePath} {probeModelArguments}"], script, workingDirectory);

    private static EmulatorResult RunEmulator(List<string> emulatorArguments, string script, string workingDirectory)
    {
        string stats = Path.Combine(workingDirectory, "emulator-stats.txt");
        var arguments = new List<string> { TestPaths.InRepo("tools", "usb-emulator", "emulate"), "--stats", stats };
        arguments.AddRange(emulatorArguments);
        arguments.AddRange(["--", "sh", "-c", script]);
        PeerResult result = PeerTools.Run(
            "bash",
            arguments,
            workingDirectory,
            TimeSpan.FromMinutes(1),
            new Dictionary<string, string>
            {
                ["DFUSHARP_CLI"] = CliPath,
                ["PROBE"] = $"dotnet {ProbePath}",
                ["DFUSHARP"] = $"dotnet {CliPath}",
            });
        Dictionary<string, string> counters = File.Exists(stats)
            ? File.ReadAllLines(stats).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1])
            : [];
        return new EmulatorResult(result, counters);
    }

    private static string? FindSkipReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the USB emulator needs Linux (umockdev); these tests run on the Linux CI job";
        }

        if (PeerTools.SkipReason("umockdev-run", "gcc", "pkg-config", "dotnet") is { } missing)
        {
            return missing;
        }

        try
        {
            LibUsbDeviceProvider.GetLibraryVersion();
        }
        catch (UsbTransportException ex) when (ex.Error == UsbError.LibraryMissing)
        {
            return ex.Message;
        }

        foreach (string built in new[] { ProbePath, CliPath })
        {
            if (!File.Exists(built))
            {
                return $"{built} is not built (build tests/DfuSharp.Tests first)";
            }
        }

        return null;
    }
}

/// <summary>What an emulated run did.</summary>
/// <param name="Process">The script's exit code and output.</param>
/// <param name="Counters">The emulator's counters (control_transfers, resets, reenumerations).</param>
internal sealed record EmulatorResult(PeerResult Process, IReadOnlyDictionary<string, string> Counters)
{
    /// <summary>Gets the script's standard output lines.</summary>
    public IReadOnlyList<string> Lines => Process.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Gets the value of the first <c>key=value</c> line with this key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public string? Value(string key) => Lines.FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];

    /// <inheritdoc/>
    public override string ToString() => Process.ToString();
}

/// <summary>A fact that needs the USB emulator (Linux, umockdev, gcc, libusb) and optionally more peers.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EmulatorFactAttribute : FactAttribute
{
    public EmulatorFactAttribute(params string[] peers)
        => Skip = UsbEmulator.SkipReason ?? PeerTools.SkipReason(peers);

    /// <summary>Gets or sets a Python module the test's script imports (Debian package python3-MODULE).</summary>
    public string? PythonModule
    {
        get;
        set
        {
            field = value;
            Skip ??= value is null ? null : PeerTools.PythonSkipReason(value, $"python3-{value}");
        }
    }
}

/// <summary>A theory that needs the USB emulator.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EmulatorTheoryAttribute : TheoryAttribute
{
    public EmulatorTheoryAttribute(params string[] peers)
        => Skip = UsbEmulator.SkipReason ?? PeerTools.SkipReason(peers);

    /// <summary>Gets or sets a Python module the test's script imports (Debian package python3-MODULE).</summary>
    public string? PythonModule
    {
        get;
        set
        {
            field = value;
            Skip ??= value is null ? null : PeerTools.PythonSkipReason(value, $"python3-{value}");
        }
    }
}

/// <summary>Runs the emulator tests one after another: each starts two .NET processes on a small machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UsbEmulatorCollection
{
    public const string Name = "USB emulator";
}
