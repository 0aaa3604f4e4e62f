using System.Buffers.Binary;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation;

/// <summary>End-to-end use of the simulated devices through <see cref="IUsbTransport"/> with raw requests (no host engine).</summary>
public sealed class RoundTripTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static async Task<DfuStatusReport> GetStatusAsync(IUsbTransport t, TimeSpan? timeout = null)
    {
        var b = new byte[6];
        int n = await t.ControlInAsync(DeviceDriver.In(DfuRequest.GetStatus, 0, 6), b, timeout ?? Timeout);
        return DfuStatusReport.Parse(b.AsSpan(0, n));
    }

    private static async Task<DfuStatusReport> DnloadAsync(IUsbTransport t, ushort block, byte[] data, TimeProvider time)
    {
        await t.ControlOutAsync(DeviceDriver.Out(DfuRequest.Dnload, block, (ushort)data.Length), data, Timeout);
        DfuStatusReport r = await GetStatusAsync(t);
        while (r.State is DfuState.DfuDnbusy or DfuState.DfuManifest)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(r.PollTimeout), time);
            r = await GetStatusAsync(t, TimeSpan.FromSeconds(30));
        }

        return r;
    }

    public static TheoryData<bool, bool, int> PlainCases()
    {
        var data = new TheoryData<bool, bool, int>();
        foreach (bool tolerant in new[] { true, false })
        {
            foreach (bool willDetach in new[] { true, false })
            {
                foreach (int size in new[] { 64, 1024, 4096 })
                {
                    data.Add(tolerant, willDetach, size);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PlainCases))]
    public async Task RuntimeDevice_DetachDownloadManifestUpload_RoundTrips(bool manifestationTolerant, bool willDetach, int transferSize)
    {
        var attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload
            | (manifestationTolerant ? DfuAttributes.ManifestationTolerant : 0)
            | (willDetach ? DfuAttributes.WillDetach : 0);
        SimulatedDeviceProfile profile = SimulatedProfiles.Runtime with
        {
            Attributes = attributes,
            DfuModeProfile = SimulatedProfiles.Dfu11 with { Attributes = attributes, TransferSize = (ushort)transferSize },
        };
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add(profile);
        UsbDeviceInfo runtime = (await bus.EnumerateAsync()).Single();

        IUsbTransport t = await bus.OpenAsync(runtime);
        await t.ClaimInterfaceAsync(0);
        await t.ControlOutAsync(DeviceDriver.Out(DfuRequest.Detach, 1000), ReadOnlyMemory<byte>.Empty, Timeout);
        if (!willDetach)
        {
            await t.ResetAsync();
        }

        UsbDeviceInfo dfu = await bus.WaitForDeviceAsync(
            d => d.SerialNumber == runtime.SerialNumber && d.DfuInterfaces.First().Setting.Mode == DfuMode.Dfu, Timeout);
        dfu.DfuInterfaces.First().Setting.Dfu!.TransferSize.Should().Be((ushort)transferSize);
        t = await bus.OpenAsync(dfu);

        byte[] image = DeviceDriver.Pattern(10_000, transferSize);
        ushort block = 0;
        for (int offset = 0; offset < image.Length; offset += transferSize)
        {
            byte[] chunk = image[offset..Math.Min(image.Length, offset + transferSize)];
            (await DnloadAsync(t, block++, chunk, time)).Should().Be(new DfuStatusReport(DfuStatus.Ok, 0, DfuState.DfuDnloadIdle, 0));
        }

        DfuStatusReport end = await DnloadAsync(t, block, [], time);
        if (manifestationTolerant)
        {
            // dfuMANIFEST, then (after the poll timeout) GETSTATUS in dfuMANIFEST-SYNC reports the move to dfuIDLE.
            end.State.Should().Be(DfuState.DfuIdle);
        }
        else
        {
            end.State.Should().Be(DfuState.DfuManifestWaitReset);
        }

        // The application starts after a reset: the run-time device comes back; detach again to read the image back.
        await t.ResetAsync();
        UsbDeviceInfo back = await bus.WaitForDeviceAsync(d => d.DfuInterfaces.First().Setting.Mode == DfuMode.Runtime, Timeout);
        t = await bus.OpenAsync(back);
        await t.ControlOutAsync(DeviceDriver.Out(DfuRequest.Detach, 1000), ReadOnlyMemory<byte>.Empty, Timeout);
        if (!willDetach)
        {
            await t.ResetAsync();
        }

        t = await bus.OpenAsync(await bus.WaitForDeviceAsync(d => d.DfuInterfaces.First().Setting.Mode == DfuMode.Dfu, Timeout));
        var read = new List<byte>();
        var buffer = new byte[transferSize];
        for (ushort b = 0; ; b++)
        {
            int n = await t.ControlInAsync(DeviceDriver.In(DfuRequest.Upload, b, (ushort)transferSize), buffer, Timeout);
            read.AddRange(buffer[..n]);
            if (n < transferSize)
            {
                break;
            }
        }

        read.Should().Equal(image);
        (await GetStatusAsync(t)).State.Should().Be(DfuState.DfuIdle);
    }

    [Theory]
    [InlineData("stm32f4", 0x0800_0000u, 40_000)]
    [InlineData("stm32f4", 0x0801_0000u, 70_000)]
    [InlineData("stm32f1-app", 0x0800_3000u, 5_000)]
    public async Task DfuSeDevice_EraseWriteReadLeave_RoundTrips(string name, uint address, int length)
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        SimulatedDfuDevice device = bus.Add(name);
        IUsbTransport t = await bus.OpenAsync((await bus.EnumerateAsync()).Single());
        await t.ClaimInterfaceAsync(0);
        await t.SetAlternateSettingAsync(0, 0);
        ushort size = device.Profile.TransferSize;
        var sectors = SimulatedMemoryLayout.Parse(device.Profile.AlternateSettings[0].Name);
        byte[] image = DeviceDriver.Pattern(length, length);

        static byte[] Command(byte c, uint a) => DeviceDriver.Command(c, a);
        foreach (SimulatedSector s in sectors.Where(s => s.Address < address + (ulong)length && s.End > address))
        {
            (await DnloadAsync(t, 0, Command(0x41, s.Address), time)).Status.Should().Be(DfuStatus.Ok);
        }

        for (int offset = 0; offset < length; offset += size)
        {
            (await DnloadAsync(t, 0, Command(0x21, address + (uint)offset), time)).Status.Should().Be(DfuStatus.Ok);
            byte[] chunk = image[offset..Math.Min(length, offset + size)];
            (await DnloadAsync(t, 2, chunk, time)).Should().Be(new DfuStatusReport(DfuStatus.Ok, 0, DfuState.DfuDnloadIdle, 0));
        }

        (await DnloadAsync(t, 0, Command(0x21, address), time)).Status.Should().Be(DfuStatus.Ok);
        await t.ControlOutAsync(DeviceDriver.Out(DfuRequest.Abort), ReadOnlyMemory<byte>.Empty, Timeout);
        var read = new List<byte>();
        var buffer = new byte[size];
        for (ushort b = 2; read.Count < length; b++)
        {
            int want = Math.Min(size, length - read.Count);
            int n = await t.ControlInAsync(DeviceDriver.In(DfuRequest.Upload, b, (ushort)want), buffer, Timeout);
            n.Should().Be(want);
            read.AddRange(buffer[..n]);
        }

        read.Should().Equal(image);
        await t.ControlOutAsync(DeviceDriver.Out(DfuRequest.Abort), ReadOnlyMemory<byte>.Empty, Timeout);

        (await DnloadAsync(t, 0, Command(0x21, address), time)).Status.Should().Be(DfuStatus.Ok);
        await t.ControlOutAsync(DeviceDriver.Out(DfuRequest.Dnload, 0, 0), ReadOnlyMemory<byte>.Empty, Timeout);
        (await GetStatusAsync(t)).State.Should().Be(DfuState.DfuManifest);
        Func<Task> gone = () => GetStatusAsync(t);
        (await gone.Should().ThrowAsync<UsbTransportException>()).Which.Error.Should().Be(UsbError.NoDevice);
        await bus.WaitForDeviceAsync(_ => true, Timeout);
        device.ReadMemory(address, length).Should().Equal(image);
        BinaryPrimitives.ReadUInt32LittleEndian(image).Should().Be(BinaryPrimitives.ReadUInt32LittleEndian(device.ReadMemory(address, 4)));
    }
}
