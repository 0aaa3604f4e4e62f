using System.Diagnostics;
using System.Globalization;
using DfuSharp.Formats;
using DfuSharp.Simulation;

namespace DfuSharp.Benchmarks;

/// <summary>
/// Re-flashing an unchanged image with skip-unchanged against the first flash of it, on a simulated <c>stm32f4</c>
/// (1 MiB, the whole main flash: all twelve sectors). Each case runs on one board: the first flash of a blank board,
/// then the same image again with <see cref="DownloadOptions.SkipUnchanged"/>; without and with verification. Reports
/// the device's time (virtual time: busy times, poll waits and whatever bus time the simulator charges), the real
/// time the host spent, and the ratio first ÷ re-flash of each. Target (issue 9): the re-flash at least 10× faster.
/// Not a test: nothing here asserts a time. Usage: <c>skip-unchanged [--size BYTES] [--real]</c>; <c>--real</c> also
/// runs both on the system clock (the first flash then takes the device's real erase and programming time).
/// </summary>
internal static class SkipUnchangedBenchmark
{
    public static int Run(string[] args)
    {
        int size = ProcessComparison.Option(args, "--size") is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : 1024 * 1024;
        bool real = args.Contains("--real");
        byte[] data = new byte[size];
        new Random(1).NextBytes(data);
        var file = new DfuFile
        {
            DfuSe = new DfuSeImage([new DfuSeTarget(0, "Internal Flash", [new DfuSeElement(0x0800_0000, data)])]),
            Suffix = new DfuSuffix { VendorId = 0x0483, ProductId = 0xDF11, DfuVersion = DfuSuffix.DfuSe },
        };

        foreach (bool verify in new[] { false, true })
        {
            Measure("virtual", new VirtualTimeProvider(), file, verify);
            if (real)
            {
                Measure("real", TimeProvider.System, file, verify);
            }
        }

        return 0;
    }

    private static void Measure(string clock, TimeProvider time, DfuFile file, bool verify)
    {
        (TimeSpan firstDevice, TimeSpan firstWall, TimeSpan againDevice, TimeSpan againWall, int kept) = RunAsync(time, file, verify).GetAwaiter().GetResult();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// skip-unchanged stm32f4 {file.DfuSe!.Targets[0].Elements[0].Data.Length} bytes, {(verify ? "verify" : "no verify")}, {clock} clock: " +
            $"first flash {firstDevice.TotalSeconds:0.000} s device ({firstWall.TotalSeconds:0.000} s host), " +
            $"re-flash {againDevice.TotalSeconds:0.000} s device ({againWall.TotalSeconds:0.000} s host), {kept} sector(s) kept; " +
            $"ratio {Ratio(firstDevice, againDevice)} device time, {Ratio(firstWall, againWall)} host time (target >= 10x)"));
    }

    // A re-flash that cost no device time (a simulator that charges nothing for uploads) has no ratio.
    private static string Ratio(TimeSpan first, TimeSpan again)
        => again > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{first / again:0.0}x")
            : "unbounded (the re-flash took no device time: the simulator charges no bus time for its reads)";

    private static async Task<(TimeSpan, TimeSpan, TimeSpan, TimeSpan, int)> RunAsync(TimeProvider time, DfuFile file, bool verify)
    {
        var bus = new SimulatedUsbBus(time);
        bus.Add("stm32f4");
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(bus, null, new DfuDeviceOptions { TimeProvider = time });
        var watch = Stopwatch.StartNew();
        DownloadResult first = await device.DownloadAsync(file, new DownloadOptions { Verify = verify });
        TimeSpan firstWall = watch.Elapsed;
        watch.Restart();
        DownloadResult again = await device.DownloadAsync(file, new DownloadOptions { Verify = verify, SkipUnchanged = true });
        TimeSpan againWall = watch.Elapsed;
        if (again.Plan.EraseCount != 0 || again.Plan.WriteBytes != 0)
        {
            throw new InvalidOperationException($"The re-flash was not skipped: {again.Plan}.");
        }

        return (first.Elapsed, firstWall, again.Elapsed, againWall, again.Plan.KeptSectors.Length);
    }
}
