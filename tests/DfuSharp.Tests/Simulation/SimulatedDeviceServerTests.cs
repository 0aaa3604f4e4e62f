using System.Buffers.Binary;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation;

public sealed class SimulatedDeviceServerTests
{
    private static void Request(Stream s, byte kind, UsbSetupPacket setup, byte[]? data = null)
    {
        var h = new byte[11];
        h[0] = kind;
        setup.WriteTo(h.AsSpan(1));
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(9), (ushort)(data?.Length ?? 0));
        s.Write(h);
        s.Write(data ?? []);
    }

    private static List<(int Status, byte Flags, byte[] Data)> Responses(byte[] output)
    {
        var list = new List<(int, byte, byte[])>();
        for (int i = 0; i < output.Length;)
        {
            int n = BinaryPrimitives.ReadUInt16LittleEndian(output.AsSpan(i + 5));
            list.Add((BinaryPrimitives.ReadInt32LittleEndian(output.AsSpan(i)), output[i + 4], output[(i + 7)..(i + 7 + n)]));
            i += 7 + n;
        }

        return list;
    }

    [Fact]
    public async Task Serve_Frames_AnswersEachInOrder()
    {
        var time = new VirtualTimeProvider();
        var device = new SimulatedDfuDevice(SimulatedProfiles.Runtime, new SimulatedDeviceOptions { TimeProvider = time });
        var input = new MemoryStream();
        Request(input, (byte)'C', new UsbSetupPacket(0x80, 6, 0x0100, 0, 18));
        Request(input, (byte)'C', DeviceDriver.Out(DfuRequest.ClrStatus));
        Request(input, (byte)'C', DeviceDriver.Out(DfuRequest.Detach, 1000));
        Request(input, (byte)'C', new UsbSetupPacket(0x80, 6, 0x0100, 0, 18));
        Request(input, (byte)'C', DeviceDriver.Out(DfuRequest.Dnload, 0, 4), [1, 2, 3, 4]);
        Request(input, (byte)'R', default);
        input.Position = 0;
        var output = new MemoryStream();

        await SimulatedDeviceServer.ServeAsync(device, input, output);

        var r = Responses(output.ToArray());
        r.Select(x => x.Status).Should().Equal(0, -32, 0, 0, 0, 0);
        r.Select(x => x.Flags).Should().Equal(0, 0, 1, 0, 0, 0);
        BinaryPrimitives.ReadUInt16LittleEndian(r[0].Data.AsSpan(10)).Should().Be(0xDF10);
        BinaryPrimitives.ReadUInt16LittleEndian(r[3].Data.AsSpan(10)).Should().Be(0xDF11);
        time.Elapsed.Should().Be(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Serve_TruncatedFrame_ThrowsInvalidData()
    {
        var device = SimulatedDfuDevice.Create("dfu11", new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() });
        Func<Task> act = () => SimulatedDeviceServer.ServeAsync(device, new MemoryStream([(byte)'C', 0x80, 6]), new MemoryStream());
        await act.Should().ThrowAsync<InvalidDataException>();
    }

    [Fact]
    public async Task Serve_UnknownKind_ThrowsInvalidData()
    {
        var device = SimulatedDfuDevice.Create("dfu11", new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() });
        var input = new MemoryStream();
        Request(input, (byte)'X', default);
        input.Position = 0;
        Func<Task> act = () => SimulatedDeviceServer.ServeAsync(device, input, new MemoryStream());
        await act.Should().ThrowAsync<InvalidDataException>();
    }

    [Fact]
    public async Task Serve_GetStatusNeverAnswers_ReportsTimeoutStatus()
    {
        var device = SimulatedDfuDevice.Create("dfu11", new SimulatedDeviceOptions
        {
            TimeProvider = new VirtualTimeProvider(),
            Faults = SimulatedFaults.Of(SimulatedFault.GetStatusNeverAnswers()),
        });
        var input = new MemoryStream();
        Request(input, (byte)'C', DeviceDriver.In(DfuRequest.GetStatus, 0, 6));
        input.Position = 0;
        var output = new MemoryStream();
        await SimulatedDeviceServer.ServeAsync(device, input, output);
        Responses(output.ToArray()).Single().Status.Should().Be(-110);
    }
}
