using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using DfuSharp;
using DfuSharp.Formats;
using DfuSharp.Simulation;

namespace DfuSharp.Benchmarks;

/// <summary>
/// Downloads an image to the simulated STM32F4 in real time and reports the wall time divided by the device-imposed
/// minimum (<see cref="SimulatedDfuDevice.DeviceMinimumTime"/>: the time the device was busy, plus the poll waits it does
/// not let a host skip). Target: at most 1.25.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 3)]
public class Stm32F4DownloadBenchmark
{
    private DfuFile _file = null!;
    private TimeSpan _minimum;
    private TimeSpan _lastWall;

    /// <summary>Gets or sets the image size in bytes.</summary>
    [Params(1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] data = new byte[Size];
        new Random(1).NextBytes(data);
        _file = new DfuFile
        {
            DfuSe = new DfuSeImage([new DfuSeTarget(0, "Internal Flash", [new DfuSeElement(0x0800_0000, data)])]),
            Suffix = new DfuSuffix { VendorId = 0x0483, ProductId = 0xDF11, DfuVersion = DfuSuffix.DfuSe },
        };
    }

    [Benchmark]
    public async Task DownloadInRealTime()
    {
        var watch = Stopwatch.StartNew();
        _minimum = await DownloadAsync(TimeProvider.System);
        _lastWall = watch.Elapsed;
    }

    [GlobalCleanup]
    public void Report()
        => Console.WriteLine(
            $"// stm32f4 {Size} bytes: wall {_lastWall.TotalSeconds:0.000} s, device-imposed minimum {_minimum.TotalSeconds:0.000} s, ratio {_lastWall / _minimum:0.000} (target <= 1.25)");

    private async Task<TimeSpan> DownloadAsync(TimeProvider time)
    {
        var bus = new SimulatedUsbBus(time);
        SimulatedDfuDevice simulated = bus.Add("stm32f4");
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(bus, null, new DfuDeviceOptions { TimeProvider = time });
        await device.DownloadAsync(_file);
        return simulated.DeviceMinimumTime;
    }
}
