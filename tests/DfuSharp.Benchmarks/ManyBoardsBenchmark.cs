using System.Diagnostics;
using System.Globalization;

using DfuSharp.Formats;
using DfuSharp.Simulation;

namespace DfuSharp.Benchmarks;

/// <summary>
/// Many boards at once, in real time: downloads one 256 KiB image to 1 simulated <c>stm32f4</c>, then to 8 on one bus
/// at once, and prints the wall time of 8 divided by the wall time of 1. Target: at most 1.25 (issue #9). Each board
/// has its own session, opened by <see cref="DfuDevice.OpenAllAsync"/> as <c>dfusharp download --all</c> does, and all
/// run at the same time: nothing is serialised, so the ratio shows what the sessions cost each other (CPU, locks of
/// the shared bus), not the sum of their device times.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project tests/DfuSharp.Benchmarks -- rig [BOARDS] [KIB] [ROUNDS]</c> (defaults 8, 256,
/// 3). Each figure is the median of the rounds. A machine with few cores and other loads reports a higher ratio.
/// </remarks>
internal static class ManyBoardsBenchmark
{
    /// <summary>Runs the comparison and prints the figures.</summary>
    /// <returns>0.</returns>
    public static int Run(string[] args)
    {
        int boards = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8;
        int kib = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 256;
        int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        byte[] data = new byte[kib * 1024];
        new Random(1).NextBytes(data);
        MemoryImage image = MemoryImage.FromBytes(0x0800_0000, data);

        // One warm-up round so that the JIT does not count against the single board.
        _ = FlashAsync(image, 1).GetAwaiter().GetResult();
        TimeSpan one = Median(rounds, () => FlashAsync(image, 1).GetAwaiter().GetResult());
        TimeSpan many = Median(rounds, () => FlashAsync(image, boards).GetAwaiter().GetResult());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// stm32f4 {kib} KiB: 1 board {one.TotalSeconds:0.000} s, {boards} boards at once {many.TotalSeconds:0.000} s, ratio {many / one:0.000} (target <= 1.25)"));
        return 0;
    }

    private static TimeSpan Median(int rounds, Func<TimeSpan> run)
    {
        var times = new List<TimeSpan>();
        for (int i = 0; i < rounds; i++)
        {
            times.Add(run());
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static async Task<TimeSpan> FlashAsync(MemoryImage image, int boards)
    {
        var bus = new SimulatedUsbBus(TimeProvider.System);
        for (int i = 0; i < boards; i++)
        {
            bus.Add("stm32f4");
        }

        var watch = Stopwatch.StartNew();
        IReadOnlyList<DfuDevice> devices = await DfuDevice.OpenAllAsync(bus, null, new DfuDeviceOptions { TimeProvider = TimeProvider.System });
        try
        {
            await Task.WhenAll(devices.Select(d => Task.Run(() => d.DownloadAsync(image, null, new DownloadOptions()))));
        }
        finally
        {
            foreach (DfuDevice device in devices)
            {
                await device.DisposeAsync();
            }
        }

        return watch.Elapsed;
    }
}
