using System.Diagnostics;
using System.Globalization;

using DfuSharp.Simulation;

namespace DfuSharp.Benchmarks;

/// <summary>
/// Flashing over the real libusb stack, whole process, as a user runs it: <c>dfusharp download fw.dfu</c> against
/// <c>dfu-util -a 0 -D fw.dfu</c>, each on a fresh emulated <c>stm32f4</c> (tools/usb-emulator/emulate, umockdev; the
/// device keeps its real erase and programming times and the poll timeouts the ROM reports), with DfuSe files of
/// 256 KiB and 1 MiB made by <c>dfuse-pack</c>. One run each; prints both wall times (process start to exit, measured
/// inside the emulator, so the emulator's own start-up is not counted), their ratio, the control transfers each made
/// (emulate --stats, less the emulator's own descriptor reads), dfusharp's wall time over the device-imposed minimum
/// (<see cref="SimulatedDfuDevice.DeviceMinimumTime"/> of the same download in virtual time) and whether both left the
/// same bytes in flash. Linux only; the 1 MiB runs take minutes. Not a test: nothing here asserts a time.
/// Usage: <c>process usb-download [--dfusharp PATH] [--size BYTES]</c>.
/// </summary>
internal static class UsbDownloadComparison
{
    private const string Profile = "stm32f4";

    public static int Run(string[] args)
    {
        string root = ProcessComparison.FindRepoRoot();
        string? dfusharp = ProcessComparison.Option(args, "--dfusharp") ?? Environment.GetEnvironmentVariable("DFUSHARP_CLI") ?? DefaultCli(root);
        int[] sizes = ProcessComparison.Option(args, "--size") is { } one
            ? [int.Parse(one, CultureInfo.InvariantCulture)]
            : [256 * 1024, 1024 * 1024];
        if (dfusharp is null || !File.Exists(dfusharp))
        {
            Console.Error.WriteLine("dfusharp not found; publish it with: dotnet publish -c Release -r linux-x64 tools/DfuSharp.Cli (or pass --dfusharp PATH)");
            return 66;
        }

        string emulate = Path.Combine(root, "tools", "usb-emulator", "emulate");
        string dir = Directory.CreateTempSubdirectory("dfusharp-usb-bench-").FullName;
        try
        {
            // The emulator reads the descriptors itself before the command starts; those transfers are not the host's.
            Measurement baseline = Emulated(emulate, dfusharp, dir, "baseline", ["true"]);
            bool allFlashed = true;
            foreach (int size in sizes)
            {
                allFlashed &= Compare(emulate, dfusharp, dir, size, baseline);
            }

            Console.WriteLine($"  emulator's own descriptor reads, not counted above: {baseline.ControlTransfers}");
            Console.WriteLine($"  dfusharp: {dfusharp}");
            return allFlashed ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static bool Compare(string emulate, string dfusharp, string dir, int size, Measurement baseline)
    {
        byte[] firmware = BenchmarkData.Firmware(size);
        string bin = Path.Combine(dir, $"fw-{size}.bin");
        string dfu = Path.Combine(dir, $"fw-{size}.dfu");
        File.WriteAllBytes(bin, firmware);
        Pack(bin, dfu);

        Measurement ours = Emulated(emulate, dfusharp, dir, $"dfusharp-{size}", [dfusharp, "download", dfu]);
        Measurement theirs = Emulated(emulate, dfusharp, dir, $"dfu-util-{size}", ["dfu-util", "-a", "0", "-D", dfu]);
        TimeSpan minimum = DeviceMinimum(File.ReadAllBytes(dfu));
        bool oursFlashed = Flashed(ours.State, firmware);
        bool theirsFlashed = Flashed(theirs.State, firmware);

        Console.WriteLine($"download {size} bytes (dfuse-pack DfuSe file) to an emulated {Profile} over libusb (real device timing), whole process, one run each");
        Console.WriteLine($"  dfusharp download:   {ours.Elapsed.TotalSeconds,8:F2} s, {ours.ControlTransfers - baseline.ControlTransfers,6} control transfers, flash correct: {oursFlashed}");
        Console.WriteLine($"  dfu-util -D:         {theirs.Elapsed.TotalSeconds,8:F2} s, {theirs.ControlTransfers - baseline.ControlTransfers,6} control transfers, flash correct: {theirsFlashed}");
        Console.WriteLine($"  device minimum:      {minimum.TotalSeconds,8:F2} s");
        Console.WriteLine($"  ratio (ours/theirs): {ours.Elapsed / theirs.Elapsed,8:F3}");
        Console.WriteLine($"  ours / minimum:      {ours.Elapsed / minimum,8:F3}");
        return oursFlashed && theirsFlashed;
    }

    private static void Pack(string bin, string dfu)
    {
        var psi = new ProcessStartInfo("dfuse-pack") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])["-b", $"0x{BenchmarkData.FlashBase:X8}:{bin}", "-D", "0x0483:0xdf11", dfu])
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start dfuse-pack");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dfuse-pack exited with {process.ExitCode}: {stderr}");
        }
    }

    // The same download in virtual time against the same profile: the device reports its minimum for the session.
    private static TimeSpan DeviceMinimum(byte[] file)
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        SimulatedDfuDevice simulated = bus.Add(Profile);
        Task run = Task.Run(async () =>
        {
            await using DfuDevice device = await DfuDevice.OpenFirstAsync(bus, null, new DfuDeviceOptions { TimeProvider = time });
            await device.DownloadAsync(Formats.DfuFile.Read(file));
        });
        run.GetAwaiter().GetResult();
        return simulated.DeviceMinimumTime;
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
