using System.Collections.Immutable;
using DfuSharp.Formats;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.EndToEnd;

/// <summary>A simulated bus on virtual time with one device, and the options a host session uses on it.</summary>
internal sealed class SimHarness
{
    private SimHarness(SimulatedDeviceProfile profile, SimulatedDeviceOptions? options)
    {
        Bus = new SimulatedUsbBus(Time);
        Device = Bus.Add(profile, options);
    }

    public VirtualTimeProvider Time { get; } = new();

    public SimulatedUsbBus Bus { get; }

    public SimulatedDfuDevice Device { get; }

    public DfuDeviceOptions Options => new() { TimeProvider = Time };

    public static SimHarness Create(string profile, SimulatedDeviceOptions? options = null) => new(SimulatedProfiles.Get(profile), options);

    public static SimHarness Create(SimulatedDeviceProfile profile, SimulatedDeviceOptions? options = null) => new(profile, options);

    public static SimHarness Create(string profile, params SimulatedFault[] faults)
        => new(SimulatedProfiles.Get(profile), new SimulatedDeviceOptions { Faults = SimulatedFaults.Of(faults) });

    public Task<DfuDevice> OpenAsync(DfuDeviceSelector? selector = null) => DfuDevice.OpenFirstAsync(Bus, selector, Options);

    public static byte[] Random(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static DfuFile DfuSeFile(ushort vid, ushort pid, byte alt, uint address, byte[] data) => new()
    {
        DfuSe = new DfuSeImage([new DfuSeTarget(alt, null, [new DfuSeElement(address, data)])]),
        Suffix = new DfuSuffix { VendorId = vid, ProductId = pid, DfuVersion = DfuSuffix.DfuSe },
    };

    public static DfuFile PlainFile(byte[] data) => new() { Firmware = data, Suffix = new DfuSuffix { DfuVersion = DfuSuffix.Dfu11 } };

    public static ImmutableArray<byte> Bytes(ReadOnlyMemory<byte> data) => [.. data.Span];
}
