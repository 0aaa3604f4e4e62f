using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.Simulation;

public sealed class TranscriptTests
{
    [Fact]
    public void Render_SmallDfuSeDownload_MatchesGolden()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4);
        d.Device.HandleControl(new DfuSharp.Usb.UsbSetupPacket(0x01, 11, 0, 0, 0), default);
        d.GetStatus();
        d.Erase(0x0800_0000);
        d.Write(0x0800_0000, new byte[16]);
        d.SetAddress(0x0800_0000);
        d.Dnload(2, default);
        d.RawGetStatus();
        d.RawGetStatus();

        d.Device.Transcript.Render(dfuRequestsOnly: true).Should().Be(
            """
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=6    -> ACK dfuIDLE OK
            DFU_DNLOAD     21 01 0000 0000 0005 out=5    in=0    -> ACK dfuDNLOAD-SYNC OK | erase 0x08000000
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=6    -> ACK dfuDNBUSY OK | poll 100 ms
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=6    -> ACK dfuDNLOAD-IDLE OK
            DFU_DNLOAD     21 01 0000 0000 0005 out=5    in=0    -> ACK dfuDNLOAD-SYNC OK | set address 0x08000000
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=6    -> ACK dfuDNBUSY OK | poll 104 ms
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=6    -> ACK dfuDNLOAD-IDLE OK
            DFU_DNLOAD     21 01 0002 0000 0010 out=16   in=0    -> ACK dfuDNLOAD-SYNC OK | data block 0 at 0x08000000
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=6    -> ACK dfuDNBUSY OK | poll 104 ms
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=6    -> ACK dfuDNLOAD-IDLE OK
            DFU_DNLOAD     21 01 0000 0000 0005 out=5    in=0    -> ACK dfuDNLOAD-SYNC OK | set address 0x08000000
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=6    -> ACK dfuDNBUSY OK | poll 104 ms
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=6    -> ACK dfuDNLOAD-IDLE OK
            DFU_DNLOAD     21 01 0002 0000 0000 out=0    in=0    -> ACK dfuMANIFEST-SYNC OK | leave
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=6    -> ACK dfuMANIFEST OK re-enumerate | leave: jump to application; poll 50 ms
            DFU_GETSTATUS  A1 03 0000 0000 0006 out=0    in=0    -> NODEV dfuMANIFEST OK

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_All_IncludesStandardRequestsAndBusEvents()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11);
        d.Device.HandleControl(new DfuSharp.Usb.UsbSetupPacket(0x80, 6, 0x0100, 0, 18), default);
        d.Device.BusReset();
        d.Device.Transcript.Render().Should().Be(
            """
            GET_DESCRIPTOR 80 06 0100 0000 0012 out=0    in=18   -> ACK dfuIDLE OK
            BUS_RESET      -------------------- out=0    in=0    -> ACK dfuIDLE OK | restart

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        d.Device.Transcript.Render(dfuRequestsOnly: true).Should().StartWith("BUS_RESET");
    }

    [Fact]
    public void Entries_RecordVirtualTimeOfArrival()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, time: time);
        d.Erase(0x0802_0000);
        // Each request arrives when the previous one has had its bus time (SimulatedBusTime); the held GETSTATUS when the erase ends.
        TimeSpan dnload = SimulatedBusTime.ControlTransfer(5);
        TimeSpan status = SimulatedBusTime.ControlTransfer(6);
        d.Device.Transcript.Entries.Select(e => e.Time).Should().Equal(TimeSpan.Zero, dnload, dnload + status + TimeSpan.FromSeconds(1));
        d.Device.Transcript.Entries[^1].State.Should().Be(DfuState.DfuDnloadIdle);
    }
}
