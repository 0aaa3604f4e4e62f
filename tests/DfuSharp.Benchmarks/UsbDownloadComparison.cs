using System.Diagnostics;
using System.Globalization;

using DfuSharp.Simulation;

namespace DfuSharp.Benchmarks;

/// <summary>
/// Flashing 1 MiB over the real libusb stack, whole process, as a user runs it: <c>dfusharp download fw.bin --address
/// 0x08000000</c> against <c>dfu-util -a 0 -s 0x08000000 -D fw.bin</c>, each on a fresh emulated <c>stm32f4</c>
/// (tools/usb-emulator/emulate, umockdev; the device keeps its real erase and programming times and poll timeouts). One
/// run each; prints both wall times (process start to exit, measured inside the emulator, so the emulator's own start-up
/// is not counted), their ratio, the control transfers each made (emulate --stats, less the emulator's own descriptor
/// reads) and whether both left the same bytes in flash. Linux only; takes about two minutes.
/// Usage: <c>process usb-download [--dfusharp PATH] [--size BYTES]</c>.
/// </summary>
internal static class UsbDownloadComparison
{
    private const string Profile = "stm32f4";

    public static int Run(string[] args)
    {
        string root = ProcessComparison.FindRepoRoot();
        string? dfusharp = ProcessComparison.Option(args, "--dfusharp") ?? Environment.GetEnvironmentVariable("DFUSHARP_CLI") ?? DefaultCli(root);
        int size = int.Parse(ProcessComparison.Option(args, "--size") ?? (1024 * 1024).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (dfusharp is null || !File.Exists(dfusharp))
        {
            Console.Error.WriteLine("dfusharp not found; publish it with: dotnet publish -c Release -r linux-x64 tools/DfuSharp.Cli (or pass --dfusharp PATH)");
            return 66;
        }

        string emulate = Path.Combine(root, "tools", "usb-emulator", "emulate");
        string dir = Directory.CreateTempSubdirectory("dfusharp-usb-bench-").FullName;
        try
        {
            byte[] firmware = BenchmarkData.Firmware(size);
            string image = Path.Combine(dir, "fw.bin");
            File.WriteAllBytes(image, firmware);
            string address = $"0x{BenchmarkData.FlashBase:X8}";

            // The emulator reads the descriptors itself before the command starts; those transfers are not the host's.
            Measurement baseline = Emulated(emulate, dfusharp, dir, "baseline", ["true"]);
            Measurement ours = Emulated(emulate, dfusharp, dir, "dfusharp", [dfusharp, "download", image, "--address", address]);
            Measurement theirs = Emulated(emulate, dfusharp, dir, "dfu-util", ["dfu-util", "-a", "0", "-s", address, "-D", image]);
            bool oursFlashed = Flashed(ours.State, firmware);
            bool theirsFlashed = Flashed(theirs.State, firmware);

            Console.WriteLine($"download {size} bytes to an emulated {Profile} over libusb (real device timing), whole process, one run each");
            Console.WriteLine($"  dfusharp download:   {ours.Elapsed.TotalSeconds,8:F2} s, {ours.ControlTransfers - baseline.ControlTransfers,6} control transfers, flash correct: {oursFlashed}");
            Console.WriteLine($"  dfu-util -D:         {theirs.Elapsed.TotalSeconds,8:F2} s, {theirs.ControlTransfers - baseline.ControlTransfers,6} control transfers, flash correct: {theirsFlashed}");
            Console.WriteLine($"  ratio (ours/theirs): {ours.Elapsed / theirs.Elapsed,8:F3}");
            Console.WriteLine($"  emulator's own descriptor reads, not counted above: {baseline.ControlTransfers}");
            Console.WriteLine($"  dfusharp: {dfusharp}");
            return oursFlashed && theirsFlashed ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string? DefaultCli(string root)
    {
        string bin = Path.Combine(root, "tools", "DfuSharp.Cli", "bin", "Release", "net10.0");
        string publish = Path.Combine(bin, "linux-x64", "publish", "dfusharp");
        string build = Path.Combine(bin, "dfusharp");
        return File.Exists(publish) ? publish : File.Exists(build) ? build : null;
    }

    // Runs one command under the emulator on a fresh device whose flash is saved to a state file afterwards; the command
    // is timed by the shell inside the emulator, from just before it starts until it exits.
    private static Measurement Emulated(string emulate, string dfusharp, string dir, string name, string[] command)
    {
        string stats = Path.Combine(dir, name + ".stats");
        string state = Path.Combine(dir, name + ".state");
        string timing = Path.Combine(dir, name + ".ns");
        const string Timer = "s=$(date +%s%N); \"$@\"; rc=$?; e=$(date +%s%N); echo $((e - s)) > \"$TIMING\"; exit $rc";
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])[emulate, "--profile", Profile, "--sim-state", state, "--stats", stats, "--", "sh", "-c", Timer, "sh", .. command])
        {
            psi.ArgumentList.Add(argument);
        }

        psi.Environment["DFUSHARP_CLI"] = dfusharp;
        psi.Environment["TIMING"] = timing;
        psi.Environment["CI"] = "true";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start bash");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} exited with {process.ExitCode}: {stderr}");
        }

        long nanoseconds = long.Parse(File.ReadAllText(timing).Trim(), CultureInfo.InvariantCulture);
        long transfers = File.ReadAllLines(stats)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2 && p[0] == "control_transfers")
            .Select(p => long.Parse(p[1], CultureInfo.InvariantCulture))
            .Single();
        return new Measurement(TimeSpan.FromTicks(nanoseconds / 100), transfers, File.Exists(state) ? state : null);
    }

    private static bool Flashed(string? state, byte[] firmware)
    {
        if (state is null)
        {
            return false;
        }

        var device = SimulatedDfuDevice.Create(Profile);
        using (FileStream stream = File.OpenRead(state))
        {
            device.LoadState(stream);
        }

        return device.ReadMemory(BenchmarkData.FlashBase, firmware.Length).AsSpan().SequenceEqual(firmware);
    }

    private sealed record Measurement(TimeSpan Elapsed, long ControlTransfers, string? State);
}
