using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation;

public sealed class SimulatedUsbBusTests
{
    [Fact]
    public async Task Enumerate_TwoDevices_ListsThemByPortWithSerials()
    {
        var bus = new SimulatedUsbBus(new VirtualTimeProvider());
        bus.Add("stm32f4");
        bus.Add("dfu11");
        IReadOnlyList<UsbDeviceInfo> list = await bus.EnumerateAsync();
        list.Select(d => d.PortPath).Should().Equal("sim-1", "sim-2");
        list[0].VendorId.Should().Be(0x0483);
        list[0].SerialNumber.Should().Be("3276375B3034");
        list[1].ProductId.Should().Be(0xDF11);
    }

    [Fact]
    public async Task Open_ControlTransfer_ReachesDevice()
    {
        var bus = new SimulatedUsbBus(new VirtualTimeProvider());
        bus.Add("dfu11");
        UsbDeviceInfo info = (await bus.EnumerateAsync()).Single();
        await using IUsbTransport t = await bus.OpenAsync(info);
        await t.ClaimInterfaceAsync(0);
        var buffer = new byte[6];
        (await t.ControlInAsync(DeviceDriver.In(DfuRequest.GetStatus, 0, 6), buffer, TimeSpan.FromSeconds(1))).Should().Be(6);
        DfuStatusReport.Parse(buffer).State.Should().Be(DfuState.DfuIdle);
        (await t.GetStringDescriptorAsync(2)).Should().Be("DFU 1.1 test device");
    }

    [Fact]
    public async Task Stall_OverTransport_ThrowsStall()
    {
        var bus = new SimulatedUsbBus(new VirtualTimeProvider());
        bus.Add("dfu11");
        await using IUsbTransport t = await bus.OpenAsync((await bus.EnumerateAsync()).Single());
        Func<Task> act = async () => await t.ControlOutAsync(DeviceDriver.Out(DfuRequest.ClrStatus), ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(1));
        (await act.Should().ThrowAsync<UsbTransportException>()).Which.Error.Should().Be(UsbError.Stall);
    }

    [Fact]
    public async Task Detach_RuntimeDevice_VanishesAndReturnsInDfuModeOnSamePortAndSerial()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add("runtime");
        UsbDeviceInfo before = (await bus.EnumerateAsync()).Single();
        before.DfuInterfaces.Single().Setting.Mode.Should().Be(DfuMode.Runtime);
        await using IUsbTransport t = await bus.OpenAsync(before);
        await t.ControlOutAsync(DeviceDriver.Out(DfuRequest.Detach, 1000), ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(1));

        (await bus.EnumerateAsync()).Should().BeEmpty();
        UsbDeviceInfo after = await bus.WaitForDeviceAsync(
            d => d.SerialNumber == before.SerialNumber && d.PortPath == before.PortPath && d.DfuInterfaces.Any(i => i.Setting.Mode == DfuMode.Dfu),
            TimeSpan.FromSeconds(5));
        after.ProductId.Should().Be(0xDF11);
        time.Elapsed.Should().Be(TimeSpan.FromMilliseconds(100));

        Func<Task> stale = async () => await t.ControlInAsync(DeviceDriver.In(DfuRequest.GetState, 0, 1), new byte[1], TimeSpan.FromSeconds(1));
        (await stale.Should().ThrowAsync<UsbTransportException>()).Which.Error.Should().Be(UsbError.NoDevice);
        await using IUsbTransport fresh = await bus.OpenAsync(after);
        var state = new byte[1];
        await fresh.ControlInAsync(DeviceDriver.In(DfuRequest.GetState, 0, 1), state, TimeSpan.FromSeconds(1));
        ((DfuState)state[0]).Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public async Task Reset_AfterDetachWithoutWillDetach_ReenumeratesInDfuMode()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add(SimulatedProfiles.Runtime with { Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload });
        await using IUsbTransport t = await bus.OpenAsync((await bus.EnumerateAsync()).Single());
        await t.ControlOutAsync(DeviceDriver.Out(DfuRequest.Detach, 1000), ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(1));
        (await bus.EnumerateAsync()).Should().ContainSingle();
        await t.ResetAsync();
        UsbDeviceInfo after = await bus.WaitForDeviceAsync(d => d.DfuInterfaces.Any(i => i.Setting.Mode == DfuMode.Dfu), TimeSpan.FromSeconds(1));
        after.PortPath.Should().Be("sim-1");
    }

    [Fact]
    public async Task WaitForDevice_NeverAppears_ThrowsReenumerationTimeoutAfterTimeout()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add("dfu11");
        Func<Task> act = async () => await bus.WaitForDeviceAsync(d => d.VendorId == 0xFFFF, TimeSpan.FromSeconds(2));
        (await act.Should().ThrowAsync<DfuReenumerationTimeoutException>()).Which.Timeout.Should().Be(TimeSpan.FromSeconds(2));
        time.Elapsed.Should().Be(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task WaitForDevice_DelayLongerThanTimeout_Throws()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        SimulatedDfuDevice device = bus.Add("runtime", new SimulatedDeviceOptions { ReenumerationDelay = TimeSpan.FromSeconds(10) });
        device.HandleControl(DeviceDriver.Out(DfuRequest.Detach, 1000), default).Reenumerate.Should().BeTrue();
        Func<Task> act = async () => await bus.WaitForDeviceAsync(_ => true, TimeSpan.FromSeconds(3));
        await act.Should().ThrowAsync<DfuReenumerationTimeoutException>();
        time.Elapsed.Should().Be(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Leave_Stm32F4_ComesBackAfterReenumerationTime()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        SimulatedDfuDevice device = bus.Add("stm32f4");
        var d = new DeviceDriver(device);
        d.SetAddress(0x0800_0000);
        d.Dnload(2, default);
        d.RawGetStatus().Reenumerate.Should().BeTrue();
        TimeSpan left = time.Elapsed;
        await bus.WaitForDeviceAsync(x => x.VendorId == 0x0483, TimeSpan.FromSeconds(5));
        (time.Elapsed - left).Should().Be(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Open_StaleInfoAfterReenumeration_ThrowsNoDevice()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        SimulatedDfuDevice device = bus.Add("runtime");
        UsbDeviceInfo old = (await bus.EnumerateAsync()).Single();
        device.HandleControl(DeviceDriver.Out(DfuRequest.Detach, 1000), default);
        time.Advance(TimeSpan.FromSeconds(1));
        Func<Task> act = async () => await bus.OpenAsync(old);
        (await act.Should().ThrowAsync<UsbTransportException>()).Which.Error.Should().Be(UsbError.NoDevice);
    }

    [Fact]
    public async Task Reset_InDfuIdle_KeepsDeviceAndHandle()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add("stm32f4");
        await using IUsbTransport t = await bus.OpenAsync((await bus.EnumerateAsync()).Single());
        await t.SetAlternateSettingAsync(0, 1);
        await t.ResetAsync();
        var alt = new byte[1];
        await t.ControlInAsync(new UsbSetupPacket(0x81, 10, 0, 0, 1), alt, TimeSpan.FromSeconds(1));
        alt[0].Should().Be(0);
        time.Elapsed.Should().BeLessThan(TimeSpan.FromMilliseconds(1), "only the transfers' bus time passes: no re-enumeration");
    }

    [Fact]
    public async Task Transport_BusyDeviceShorterTimeout_TimesOutWithoutProcessing()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        SimulatedDfuDevice device = bus.Add("stm32f4");
        var d = new DeviceDriver(device);
        d.SetAddress(0x0800_0000);
        d.Dnload(0, [0x41]);
        d.GetStatus().State.Should().Be(DfuState.DfuDnbusy);
        await using IUsbTransport t = await bus.OpenAsync((await bus.EnumerateAsync()).Single());
        TimeSpan start = time.Elapsed;
        Func<Task> act = async () => await t.ControlInAsync(DeviceDriver.In(DfuRequest.GetStatus, 0, 6), new byte[6], TimeSpan.FromSeconds(5));
        (await act.Should().ThrowAsync<UsbTransportException>()).Which.Error.Should().Be(UsbError.Timeout);
        (time.Elapsed - start).Should().Be(TimeSpan.FromSeconds(5));
        var buffer = new byte[6];
        await t.ControlInAsync(DeviceDriver.In(DfuRequest.GetStatus, 0, 6), buffer, TimeSpan.FromSeconds(30));
        DfuStatusReport.Parse(buffer).State.Should().Be(DfuState.DfuDnloadIdle);
        (time.Elapsed - start).Should().Be(TimeSpan.FromSeconds(8) + SimulatedBusTime.ControlTransfer(6), "the GETSTATUS answers when the erase ends, after its own bus time");
    }

    [Fact]
    public async Task Connect_LoneDeviceReenumerates_FailsWhileAwayThenFollowsIt()
    {
        var time = new VirtualTimeProvider();
        SimulatedDfuDevice device = SimulatedDfuDevice.Create("runtime", new SimulatedDeviceOptions { TimeProvider = time });
        await using IUsbTransport usb = device.Connect();
        await usb.ControlOutAsync(DeviceDriver.Out(DfuRequest.Detach, 1000), ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(1));

        var state = new byte[1];
        Func<Task> away = async () => await usb.ControlInAsync(DeviceDriver.In(DfuRequest.GetState, 0, 1), state, TimeSpan.FromSeconds(1));
        (await away.Should().ThrowAsync<UsbTransportException>()).Which.Error.Should().Be(UsbError.NoDevice);
        await device.WaitUntilConnectedAsync();
        await usb.ControlInAsync(DeviceDriver.In(DfuRequest.GetState, 0, 1), state, TimeSpan.FromSeconds(1));
        ((DfuState)state[0]).Should().Be(DfuState.DfuIdle);
        usb.Device.ProductId.Should().Be(0xDF11);
    }
}
