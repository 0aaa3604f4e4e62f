using System.Buffers.Binary;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation;

/// <summary>Drives a simulated device with raw SETUP packets, as a bus would.</summary>
internal sealed class DeviceDriver(SimulatedDfuDevice device)
{
    public SimulatedDfuDevice Device { get; } = device;

    public static DeviceDriver Create(SimulatedDeviceProfile profile, SimulatedFaults? faults = null, VirtualTimeProvider? time = null, SimulatedDeviceOptions? options = null)
    {
        options ??= new SimulatedDeviceOptions();
        options = options with { TimeProvider = time ?? new VirtualTimeProvider(), Faults = faults ?? options.Faults };
        return new DeviceDriver(new SimulatedDfuDevice(profile, options));
    }

    public static UsbSetupPacket Out(DfuRequest request, ushort value = 0, ushort length = 0) => new(0x21, (byte)request, value, 0, length);

    public static UsbSetupPacket In(DfuRequest request, ushort value = 0, ushort length = 0) => new(0xA1, (byte)request, value, 0, length);

    public SimulatedControlResult Send(DfuRequest request, ushort value = 0) => Device.HandleControl(Out(request, value), default);

    public SimulatedControlResult Dnload(ushort block, ReadOnlySpan<byte> data)
        => Device.HandleControl(Out(DfuRequest.Dnload, block, (ushort)data.Length), data);

    public SimulatedControlResult Upload(ushort block, ushort length) => Device.HandleControl(In(DfuRequest.Upload, block, length), default);

    public SimulatedControlResult RawGetStatus() => Device.HandleControl(In(DfuRequest.GetStatus, 0, 6), default);

    public DfuStatusReport GetStatus()
    {
        SimulatedControlResult r = RawGetStatus();
        r.Status.Should().Be(SimulatedControlStatus.Ack);
        return DfuStatusReport.Parse(r.Data.Span);
    }

    public DfuState GetState()
    {
        SimulatedControlResult r = Device.HandleControl(In(DfuRequest.GetState, 0, 1), default);
        r.Status.Should().Be(SimulatedControlStatus.Ack);
        return (DfuState)r.Data.Span[0];
    }

    /// <summary>DNLOAD then GETSTATUS until the device leaves dfuDNBUSY; returns the last report.</summary>
    public DfuStatusReport DnloadAndPoll(ushort block, ReadOnlySpan<byte> data)
    {
        Dnload(block, data).Status.Should().Be(SimulatedControlStatus.Ack);
        DfuStatusReport report = GetStatus();
        while (report.State == DfuState.DfuDnbusy)
        {
            report = GetStatus();
        }

        return report;
    }

    public DfuStatusReport SetAddress(uint address) => DnloadAndPoll(0, Command(0x21, address));

    public DfuStatusReport Erase(uint address) => DnloadAndPoll(0, Command(0x41, address));

    public DfuStatusReport MassErase() => DnloadAndPoll(0, [0x41]);

    public void Abort() => Send(DfuRequest.Abort).Status.Should().Be(SimulatedControlStatus.Ack);

    public void ClrStatus() => Send(DfuRequest.ClrStatus).Status.Should().Be(SimulatedControlStatus.Ack);

    /// <summary>DfuSe write: set address, block 2, back to idle is left to the caller.</summary>
    public DfuStatusReport Write(uint address, ReadOnlySpan<byte> data)
    {
        DfuStatusReport r = SetAddress(address);
        r.Status.Should().Be(DfuStatus.Ok);
        return DnloadAndPoll(2, data);
    }

    /// <summary>DfuSe read: set address, abort to idle, upload block 2, abort.</summary>
    public byte[] Read(uint address, ushort length)
    {
        SetAddress(address).Status.Should().Be(DfuStatus.Ok);
        Abort();
        SimulatedControlResult r = Upload(2, length);
        r.Status.Should().Be(SimulatedControlStatus.Ack);
        if (GetState() == DfuState.DfuUploadIdle)
        {
            Abort();
        }

        return r.Data.ToArray();
    }

    public static byte[] Command(byte command, uint address)
    {
        var c = new byte[5];
        c[0] = command;
        BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(1), address);
        return c;
    }

    public static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
