using DfuSharp.Hid;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.EndToEnd;

/// <summary>Choosing a board on a bus with several: the dfu-util selector, without its traps.</summary>
public sealed class DeviceSelectionTests
{
    private readonly VirtualTimeProvider _time = new();
    private readonly SimulatedUsbBus _bus;

    public DeviceSelectionTests() => _bus = new SimulatedUsbBus(_time);

    /// <summary>A HID keyboard: an unrelated device with no DFU interface and no DETACH report.</summary>
    internal static SimulatedDeviceProfile Keyboard { get; } = SimulatedProfiles.HidRuntime with
    {
        Name = "keyboard",
        VendorId = 0x046D,
        ProductId = 0xC31C,
        Manufacturer = "Logi",
        Product = "Keyboard",
        SerialNumber = "KB-1",
        HidReportDescriptor =
        [
            0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01,
            0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x05, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02,
            0x95, 0x03, 0x91, 0x01, 0xC0,
        ],
        DfuModeProfile = null,
    };

    private DfuDeviceOptions Options => new() { TimeProvider = _time };

    private Task<DfuDevice> OpenAsync(string? selector)
        => DfuDevice.OpenAsync(_bus, selector is null ? null : DfuDeviceSelector.Parse(selector), Options);

    [Fact]
    public async Task OpenAsync_NoSelectorOneDfuBoardAmongUnrelatedDevices_OpensTheBoard()
    {
        _bus.Add(Keyboard);
        _bus.Add("hid-runtime");
        _bus.Add("stm32f4");

        await using DfuDevice device = await OpenAsync(null);

        device.Info.PortPath.Should().Be("sim-3");
        device.Interface.Setting.Number.Should().Be(0, "the board's four alternate settings are one board, and the first is used");
    }

    [Fact]
    public async Task OpenAsync_NoSelectorTwoBoards_ErrorListsBothWithSerialAndPath()
    {
        _bus.Add("stm32f4");
        _bus.Add("runtime");

        (await FluentActions.Awaiting(() => OpenAsync(null)).Should().ThrowAsync<DfuDeviceNotFoundException>())
            .WithMessage("2 devices match*0483:df11 serial \"3276375B3034\" at sim-1 (Dfu mode)*1209:df10 serial \"DFU11-000001\" at sim-2 (Runtime mode)*");
    }

    [Fact]
    public async Task OpenAsync_NothingMatches_ErrorListsTheDfuDevicesPresent()
    {
        _bus.Add(Keyboard);
        _bus.Add("dfu11");

        (await FluentActions.Awaiting(() => OpenAsync("0483:df11")).Should().ThrowAsync<DfuDeviceNotFoundException>())
            .Which.Message.Should().Be("No DFU device matches 0483:df11; present: 1209:df11 serial \"DFU11-000001\" at sim-2 (Dfu mode).");
    }

    [Fact]
    public async Task OpenAsync_TwoBoardsWithTheSameSerial_AmbiguousBySerialAndToldApartByPath()
    {
        _bus.Add("stm32f4");
        _bus.Add("stm32f4");

        (await FluentActions.Awaiting(() => OpenAsync("serial=3276375B3034")).Should().ThrowAsync<DfuDeviceNotFoundException>())
            .WithMessage("*at sim-1*at sim-2*");
        await using DfuDevice second = await OpenAsync("serial=3276375B3034,path=sim-2");
        second.Info.PortPath.Should().Be("sim-2");
    }

    [Theory]
    [InlineData("*:df11", null)]
    [InlineData("0483:*", "sim-1")]
    [InlineData("0483:*,alt=Option Bytes", "sim-1")]
    [InlineData("1209:*,alt=0", null)]
    [InlineData("1209:df11,alt=Flash", "sim-2")]

    // A run-time board is a candidate whatever the alternate setting: its settings are known only after the detach.
    [InlineData("1209:*,alt=Flash", null)]
    public async Task OpenAsync_Wildcards_MatchByTheGivenHalf(string selector, string? path)
    {
        _bus.Add("stm32f4");
        _bus.Add("dfu11");
        _bus.Add("runtime");

        if (path is null)
        {
            await FluentActions.Awaiting(() => OpenAsync(selector)).Should().ThrowAsync<DfuDeviceNotFoundException>().WithMessage("*match*");
            return;
        }

        await using DfuDevice device = await OpenAsync(selector);
        device.Info.PortPath.Should().Be(path);
    }

    [Fact]
    public async Task DetachAsync_RuntimeAndDfuPairs_FollowsTheSameBoardNotAnotherAlreadyInDfuMode()
    {
        _bus.Add("runtime", new SimulatedDeviceOptions { PortPath = "1-1" });
        _bus.Add("dfu11", new SimulatedDeviceOptions { PortPath = "1-2", SerialNumber = "OTHER" });

        await FluentActions.Awaiting(() => OpenAsync("1209:df10,1209:df11")).Should().ThrowAsync<DfuDeviceNotFoundException>()
            .WithMessage("*at 1-1 (Runtime mode)*at 1-2 (Dfu mode)*");
        await using DfuDevice device = await OpenAsync("1209:df10,1209:df11,path=1-1");
        await device.DetachAsync();

        device.Mode.Should().Be(DfuMode.Dfu);
        device.Info.PortPath.Should().Be("1-1");
        device.Info.SerialNumber.Should().Be("DFU11-000001");
        device.Info.ProductId.Should().Be(0xDF11);
    }

    [Fact]
    public async Task DetachAsync_OnlyTheRuntimePair_AcceptsTheBoardWithItsBootloaderIds()
    {
        _bus.Add("runtime");

        await using DfuDevice device = await OpenAsync("1209:df10");
        await device.DetachAsync();

        device.Info.ProductId.Should().Be(0xDF11, "dfu-util would look for 1209:df10 again and not find the board");
    }

    [Fact]
    public async Task DetachAsync_BoardReturnsWithOtherIdsThanTheDfuModePair_ReenumerationTimeout()
    {
        _bus.Add("runtime");

        await using DfuDevice device = await OpenAsync("1209:df10,0483:df11");
        (await FluentActions.Awaiting(() => device.DetachAsync()).Should().ThrowAsync<DfuReenumerationTimeoutException>())
            .Which.Timeout.Should().Be(Options.ReenumerationTimeout);
        _time.Elapsed.Should().Be(Options.ReenumerationTimeout);
    }

    [Fact]
    public async Task DetachAsync_OneOfTwoRuntimeBoardsWithTheSameSerialWithoutWillDetach_ResetsAndFollowsItsPath()
    {
        SimulatedDeviceProfile profile = SimulatedProfiles.Runtime with { Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload };
        SimulatedDfuDevice first = _bus.Add(profile);
        SimulatedDfuDevice second = _bus.Add(profile);

        await using DfuDevice device = await OpenAsync("path=sim-2");
        await device.DetachAsync();

        device.Info.PortPath.Should().Be("sim-2");
        device.Mode.Should().Be(DfuMode.Dfu);
        second.Transcript.Entries.Select(e => e.Name).Should().ContainInOrder("DFU_DETACH", "BUS_RESET");
        first.Profile.IsRuntime.Should().BeTrue("the other board was not touched");
        first.Transcript.Count.Should().Be(0);
    }

    [Fact]
    public async Task OpenAsync_HidApplicationNamedByIds_OpensItInRunTimeModeWithItsDetachReport()
    {
        _bus.Add(Keyboard);
        SimulatedDfuDevice board = _bus.Add("hid-runtime");

        await using DfuDevice device = await OpenAsync("0483:5750");

        device.Mode.Should().Be(DfuMode.Runtime);
        device.HidDetach.Should().Be(new HidDetachReport(0x80, HidReportType.Feature, 1, 0, 8));
        device.Interface.Setting.InterfaceClass.Should().Be(UsbStandard.HidClass);
        board.Transcript.Entries.Should().ContainSingle(e => e.Setup != null && e.Setup.Value.Value == 0x2200 && e.Name == "GET_DESCRIPTOR");
    }

    [Fact]
    public async Task DetachAsync_HidApplication_SendsTheReportAndFollowsTheBoardIntoTheBootloader()
    {
        SimulatedDfuDevice board = _bus.Add("hid-runtime", new SimulatedDeviceOptions { PortPath = "1-3" });
        _bus.Add("stm32f4", new SimulatedDeviceOptions { PortPath = "1-1" });

        await FluentActions.Awaiting(() => OpenAsync("0483:5750,0483:df11")).Should().ThrowAsync<DfuDeviceNotFoundException>()
            .WithMessage("*0483:df11*at 1-1 (Dfu mode)*0483:5750*at 1-3 (HID application)*");
        await using DfuDevice device = await OpenAsync("0483:5750,0483:df11,path=1-3");
        var progress = new List<DfuProgress>();
        await device.DetachAsync(new SynchronousProgress<DfuProgress>(progress.Add));

        device.Mode.Should().Be(DfuMode.Dfu);
        device.HidDetach.Should().BeNull();
        device.IsDfuSe.Should().BeTrue();
        device.Info.PortPath.Should().Be("1-3");
        device.Info.SerialNumber.Should().Be(SimulatedProfiles.HidRuntime.SerialNumber);
        device.GetLayout()!.Name.Should().Be("Internal Flash");
        progress.Select(p => (p.Phase, p.Completed, p.Total, p.Unit)).Should().Equal((DfuPhase.Detach, 0L, 1L, DfuProgressUnit.Steps), (DfuPhase.Detach, 1L, 1L, DfuProgressUnit.Steps));
        TranscriptEntry report = board.Transcript.Entries.Single(e => e.Name == "HID_SET_REPORT");
        report.Setup.Should().Be(new UsbSetupPacket(0x21, 0x09, 0x0380, 0, 2));
        report.Reenumerate.Should().BeTrue();
        _time.Elapsed.Should().BeCloseTo(SimulatedProfiles.HidRuntime.Timing.ReenumerationTime, TimeSpan.FromMilliseconds(1), "the re-enumeration, then the bus time of the bootloader's first transfers");
    }

    [Fact]
    public async Task DownloadAsync_HidApplication_DetachesThenWritesAndVerifies()
    {
        SimulatedDfuDevice board = _bus.Add("hid-runtime");
        byte[] data = SimHarness.Random(6000, 11);

        await using DfuDevice device = await OpenAsync("serial=3276375B3034");
        DownloadResult result = await device.DownloadAsync(
            SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_4000, data), new DownloadOptions { Verify = true });

        result.Verified.Should().BeTrue();
        board.ReadMemory(0x0800_4000, data.Length).Should().Equal(data);
    }

    [Fact]
    public async Task OpenAsync_HidDeviceWithoutDetachReport_NotFoundNamesTheReason()
    {
        _bus.Add(Keyboard);

        (await FluentActions.Awaiting(() => OpenAsync("046d:c31c")).Should().ThrowAsync<DfuDeviceNotFoundException>())
            .WithMessage("*no DETACH report*");
    }

    [Fact]
    public async Task OpenAsync_EmptySelectorWithOnlyAHidApplication_NotFound()
    {
        _bus.Add("hid-runtime");

        (await FluentActions.Awaiting(() => OpenAsync(null)).Should().ThrowAsync<DfuDeviceNotFoundException>())
            .Which.Message.Should().Be("No DFU device is present.");
    }

    [Fact]
    public async Task DetachAsync_HidApplicationWhoseBootloaderNeverComes_ReenumerationTimeout()
    {
        _bus.Add("hid-runtime", new SimulatedDeviceOptions { ReenumerationDelay = TimeSpan.FromHours(1) });

        await using DfuDevice device = await OpenAsync("0483:5750");
        await FluentActions.Awaiting(() => device.DetachAsync()).Should().ThrowAsync<DfuReenumerationTimeoutException>();
        device.IsOpen.Should().BeFalse();
    }

    [Fact]
    public async Task ListAsync_HidAndUnrelatedDevices_ListsDfuInterfacesOnly()
    {
        _bus.Add(Keyboard);
        _bus.Add("hid-runtime");
        _bus.Add("runtime");

        var listed = await DfuDevice.ListAsync(_bus);

        listed.Select(l => (l.Device.PortPath, l.Interface.Setting.Mode)).Should().Equal(("sim-3", DfuMode.Runtime));
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

public sealed class HidApplicationSessionTests
{
    [Fact]
    public async Task GetStatusAsync_HidApplicationBeforeDetach_InvalidOperationSaysDetachFirst()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add("hid-runtime");
        await using DfuDevice device = await DfuDevice.OpenAsync(bus, DfuDeviceSelector.Parse("0483:5750"), new DfuDeviceOptions { TimeProvider = time });

        await FluentActions.Awaiting(() => device.GetStatusAsync()).Should().ThrowAsync<InvalidOperationException>().WithMessage("*detach it first*");
        await device.DetachAsync();
        (await device.GetStatusAsync()).Report.State.Should().Be(DfuSharp.Protocol.DfuState.DfuIdle);
    }
}

public sealed class HidDetachFaultTests
{
    [Fact]
    public async Task DetachAsync_ApplicationRefusesTheReport_StallAndStillTheApplication()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);

        // The application acts on report 0x81 only, while its descriptor says 0x80: it stalls what the host sends.
        SimulatedDfuDevice board = bus.Add(SimulatedProfiles.HidRuntime with { HidDetachReport = new SimulatedHidReport(0x03, 0x81, 1) });
        await using DfuDevice device = await DfuDevice.OpenAsync(bus, DfuDeviceSelector.Parse("0483:5750"), new DfuDeviceOptions { TimeProvider = time });

        (await FluentActions.Awaiting(() => device.DetachAsync()).Should().ThrowAsync<UsbTransportException>()).Which.Error.Should().Be(UsbError.Stall);
        device.Mode.Should().Be(DfuMode.Runtime);
        device.IsOpen.Should().BeTrue();
        board.Profile.Name.Should().Be("hid-runtime");
    }
}

/// <summary>A board whose application has a HID interface beside its DFU run-time interface (a composite device).</summary>
public sealed class CompositeDeviceTests
{
    [Fact]
    public async Task OpenAsync_DfuRuntimeInterfaceBesideAHidInterface_UsesTheDfuInterfaceAndDetaches()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add("runtime");
        var composite = new CompositeBus(bus);

        await using DfuDevice device = await DfuDevice.OpenAsync(composite, null, new DfuDeviceOptions { TimeProvider = time });
        device.Info.Configurations.Single().Interfaces.Should().HaveCount(2);
        device.HidDetach.Should().BeNull("a DFU run-time interface is used before any HID interface");
        device.Interface.InterfaceNumber.Should().Be(0);

        await device.DetachAsync();
        device.Mode.Should().Be(DfuMode.Dfu);
        device.Info.PortPath.Should().Be("sim-1");
    }

    /// <summary>The simulated bus, with a HID interface 1 added to every device in run-time mode.</summary>
    private sealed class CompositeBus(SimulatedUsbBus bus) : IUsbDeviceProvider
    {
        public async ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default)
            => [.. (await bus.EnumerateAsync(cancellationToken)).Select(WithHid)];

        public async ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default)
            => await bus.OpenAsync((await bus.EnumerateAsync(cancellationToken)).Single(d => d.PortPath == device.PortPath), cancellationToken);

        public TimeProvider TimeProvider => bus.TimeProvider;

        public ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
            => bus.WaitForArrivalAsync(timeout, cancellationToken);

        private static UsbDeviceInfo WithHid(UsbDeviceInfo device)
        {
            if (!device.DfuInterfaces.Any(i => i.Setting.Mode == DfuMode.Runtime))
            {
                return device;
            }

            UsbConfigurationInfo config = device.Configurations.Single();
            var hid = new UsbInterfaceInfo(1, [new UsbAlternateSettingInfo { Number = 0, InterfaceClass = 3, InterfaceSubClass = 0, InterfaceProtocol = 0 }]);
            return device with { Configurations = [config with { Interfaces = config.Interfaces.Add(hid) }] };
        }
    }
}
