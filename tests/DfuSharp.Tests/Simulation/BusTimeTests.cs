using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation;

public sealed class BusTimeTests
{
    private static readonly UsbSetupPacket GetStatus = new(
        UsbSetupPacket.MakeRequestType(true, UsbRequestType.Class, UsbRecipient.Interface), (byte)DfuRequest.GetStatus, 0, 0, 6);

    [Fact]
    public void ControlTransfer_2048Bytes_TakesAboutTwoMillisecondsAtFullSpeed()
    {
        // 32 data packets: 45 + 31 × 13 + 2048 = 2496 bytes, × 8 × 7/6 bit times at 12 Mbit/s, less the SOF share.
        TimeSpan time = SimulatedBusTime.ControlTransfer(2048);

        time.Should().BeCloseTo(TimeSpan.FromMicroseconds(1947), TimeSpan.FromMicroseconds(1));
    }

    [Fact]
    public void ControlTransfer_64BytePayload_FitsElevenTimesInAFrame()
    {
        // USB 2.0 Table 5-5 allows 13 such transfers per frame before bit stuffing; the worst-case 7/6 leaves 11.
        TimeSpan one = SimulatedBusTime.ControlTransfer(64);

        ((int)(TimeSpan.FromMilliseconds(1) / one)).Should().Be(11);
    }

    [Fact]
    public void ControlTransfer_MoreData_NeverTakesLess()
    {
        TimeSpan previous = TimeSpan.Zero;
        for (int length = 0; length <= 4096; length += 7)
        {
            TimeSpan time = SimulatedBusTime.ControlTransfer(length);
            time.Should().BeGreaterThan(previous);
            previous = time;
        }
    }

    [Fact]
    public void HandleControl_GetStatus_ChargesItsBusTimeToTheClockAndTheMinimum()
    {
        var time = new VirtualTimeProvider();
        var device = new SimulatedDfuDevice(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions { TimeProvider = time });
        TimeSpan start = time.Elapsed;

        device.HandleControl(GetStatus, []).Status.Should().Be(SimulatedControlStatus.Ack);

        (time.Elapsed - start).Should().Be(SimulatedBusTime.ControlTransfer(6));
        device.DeviceMinimumTime.Should().Be(SimulatedBusTime.ControlTransfer(6));
    }

    [Fact]
    public void HandleControl_InstantTiming_ChargesNothing()
    {
        var time = new VirtualTimeProvider();
        var device = new SimulatedDfuDevice(SimulatedProfiles.Stm32F4 with { Timing = SimulatedTiming.Instant }, new SimulatedDeviceOptions { TimeProvider = time });

        device.HandleControl(GetStatus, []);

        time.Elapsed.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Hub_TwoTransfersReadyAtOnce_Serialize()
    {
        var hub = new SimulatedUsbHub();
        DateTimeOffset now = DateTimeOffset.UnixEpoch;
        TimeSpan bus = SimulatedBusTime.ControlTransfer(2048);

        hub.Reserve(now, bus).Should().Be(now + bus);
        hub.Reserve(now, bus).Should().Be(now + bus + bus);
        hub.Occupied.Should().Be(bus + bus);
    }

    [Fact]
    public void HandleControl_BoardsOnOneHub_WaitForEachOthersBusTime()
    {
        var time = new VirtualTimeProvider();
        var hub = new SimulatedUsbHub();
        var bus = new SimulatedUsbBus(time) { Hub = hub };
        SimulatedDfuDevice a = bus.Add("stm32f4");
        SimulatedDfuDevice b = bus.Add("stm32f4");

        // Board a's 2 KiB transfer is on the wire; board b's GETSTATUS, ready now, goes after it.
        TimeSpan inFlight = SimulatedBusTime.ControlTransfer(2048);
        hub.Reserve(time.GetUtcNow(), inFlight);
        TimeSpan start = time.Elapsed;
        b.HandleControl(GetStatus, []);

        (time.Elapsed - start).Should().Be(inFlight + SimulatedBusTime.ControlTransfer(6));
        b.DeviceMinimumTime.Should().Be(SimulatedBusTime.ControlTransfer(6), "waiting for another board is not this board's minimum");
        a.DeviceMinimumTime.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void HandleControl_BoardsOnSeparateBuses_DoNotWaitForEachOther()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        SimulatedDfuDevice a = bus.Add("stm32f4");
        SimulatedDfuDevice b = bus.Add("stm32f4");
        TimeSpan start = time.Elapsed;

        a.HandleControl(GetStatus, []);
        b.HandleControl(GetStatus, []);

        (time.Elapsed - start).Should().Be(SimulatedBusTime.ControlTransfer(6) * 2);
    }

    [Fact]
    public async Task UploadAsync_64KiB_CostsTheBusTimeOfEveryFrame()
    {
        // Skip-unchanged compares a read-back with the file: reading must cost what it costs on a real bus.
        var sim = EndToEnd.SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        TimeSpan start = sim.Time.Elapsed;

        byte[] data = await device.UploadAsync(new UploadOptions { Address = 0x0800_0000, Length = 64 * 1024 });

        data.Should().HaveCount(64 * 1024);
        (sim.Time.Elapsed - start).Should().BeGreaterThanOrEqualTo(SimulatedBusTime.ControlTransfer(2048) * 32);
    }

    [Fact]
    public void Drawn_SameSeed_SameTimesBetweenTypicalAndMaximum()
    {
        TimeSpan first = EraseTime(SimulatedTimingMode.Drawn, seed: 3);
        TimeSpan again = EraseTime(SimulatedTimingMode.Drawn, seed: 3);
        TimeSpan other = EraseTime(SimulatedTimingMode.Drawn, seed: 4);
        TimeSpan typical = EraseTime(SimulatedTimingMode.Typical, seed: 3);

        again.Should().Be(first);
        other.Should().NotBe(first);
        typical.Should().Be(TimeSpan.FromMilliseconds(250));
        first.Should().BeGreaterThan(typical).And.BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(500));
    }

    // How long the stm32f4 is busy erasing its first (16 KiB) sector: DS8626 typical 250 ms, max 500 ms.
    private static TimeSpan EraseTime(SimulatedTimingMode mode, int seed)
    {
        var time = new VirtualTimeProvider();
        var device = new SimulatedDfuDevice(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions { TimeProvider = time, TimingMode = mode, Seed = seed });
        var erase = new UsbSetupPacket(UsbSetupPacket.MakeRequestType(false, UsbRequestType.Class, UsbRecipient.Interface), (byte)DfuRequest.Dnload, 0, 0, 5);
        device.HandleControl(erase, [0x41, 0x00, 0x00, 0x00, 0x08]);
        device.HandleControl(GetStatus, []);
        TimeSpan before = time.Elapsed;
        device.HandleControl(GetStatus, []);
        return time.Elapsed - before - SimulatedBusTime.ControlTransfer(6);
    }
}
