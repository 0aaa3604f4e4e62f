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

    /// <summary>Where a test download goes on a DfuSe profile: after the F1 application bootloader's own pages, and on the
    /// H7 across the start of bank 2 (where its ROM sticks in dfuDNBUSY); the start of flash elsewhere.</summary>
    public static uint FlashAddress(string profile) => profile switch
    {
        _ when profile.StartsWith("stm32f1-app", StringComparison.Ordinal) => 0x0800_3000u,
        "stm32h7" => 0x080F_C000u,
        _ => 0x0800_0000u,
    };

    /// <summary>The stock profiles that start in DFU mode (not run-time, not HID).</summary>
    public static IEnumerable<string> DfuModeProfiles()
        => SimulatedProfiles.Names.Where(n => SimulatedProfiles.Get(n) is { IsRuntime: false, IsHid: false });

    /// <summary>The USB bus time (<see cref="SimulatedBusTime"/>) of the transfers in <paramref name="entries"/>, as the
    /// simulated device charges it: the data stage it carried, none for a STALL, nothing for a bus reset.</summary>
    public static TimeSpan BusTime(IEnumerable<TranscriptEntry> entries)
        => entries.Where(e => e.Setup is not null && e.Result is SimulatedControlStatus.Ack or SimulatedControlStatus.Stall)
            .Aggregate(TimeSpan.Zero, (sum, e) => sum + SimulatedBusTime.ControlTransfer(
                e.Result == SimulatedControlStatus.Stall ? 0 : e.Setup!.Value.IsDeviceToHost ? e.InLength : e.OutLength));

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
