using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests;

/// <summary><see cref="DfuDevice.ListBoardsAsync"/> and <see cref="DfuDevice.OpenAllAsync"/>: every matching board,
/// once, told apart by port path.</summary>
public sealed class ManyDevicesTests
{
    // ST ROMs of one series report the same serial on every chip.
    private const string SameSerial = "3276375B3034";

    private readonly VirtualTimeProvider _time = new();

    private DfuDeviceOptions Options => new() { TimeProvider = _time };

    private SimulatedUsbBus Rig(params (string Profile, string Path)[] boards)
    {
        var bus = new SimulatedUsbBus(_time);
        foreach ((string profile, string path) in boards)
        {
            bus.Add(profile, new SimulatedDeviceOptions { PortPath = path, SerialNumber = SameSerial });
        }

        return bus;
    }

    [Fact]
    public async Task ListBoards_BoardsWithTheSameSerial_AreToldApartByPortPath()
    {
        SimulatedUsbBus bus = Rig(("stm32f4", "1-1"), ("stm32f4", "1-2"), ("stm32f4", "2-1.3"));

        IReadOnlyList<UsbDeviceInfo> boards = await DfuDevice.ListBoardsAsync(bus, new DfuDeviceSelector { SerialNumber = SameSerial });

        boards.Select(b => b.PortPath).Should().Equal("1-1", "1-2", "2-1.3");
    }

    [Fact]
    public async Task ListBoards_ABoardWithSeveralAlternateSettings_IsListedOnce()
    {
        SimulatedUsbBus bus = Rig(("stm32f4", "1-1"));

        IReadOnlyList<DfuInterfaceListing> interfaces = await DfuDevice.ListAsync(bus);
        IReadOnlyList<UsbDeviceInfo> boards = await DfuDevice.ListBoardsAsync(bus);

        interfaces.Should().HaveCountGreaterThan(1);
        boards.Should().ContainSingle();
    }

    [Fact]
    public async Task ListBoards_SelectorMatchesSome_ListsOnlyThose()
    {
        SimulatedUsbBus bus = Rig(("stm32f4", "1-1"), ("dfu11", "1-2"), ("stm32f4", "1-3"));

        IReadOnlyList<UsbDeviceInfo> boards = await DfuDevice.ListBoardsAsync(bus, DfuDeviceSelector.Parse("0483:df11"));

        boards.Select(b => b.PortPath).Should().Equal("1-1", "1-3");
    }

    [Fact]
    public async Task ListBoards_HidApplication_OnlyWhenNamed()
    {
        SimulatedUsbBus bus = Rig(("hid-runtime", "1-1"), ("stm32f4", "1-2"));

        IReadOnlyList<UsbDeviceInfo> unnamed = await DfuDevice.ListBoardsAsync(bus);
        IReadOnlyList<UsbDeviceInfo> named = await DfuDevice.ListBoardsAsync(bus, new DfuDeviceSelector { PortPath = "1-1" });

        unnamed.Select(b => b.PortPath).Should().Equal("1-2");
        named.Select(b => b.PortPath).Should().Equal("1-1");
    }

    [Fact]
    public async Task ListBoards_NoneMatches_IsEmpty()
    {
        SimulatedUsbBus bus = Rig(("stm32f4", "1-1"));

        IReadOnlyList<UsbDeviceInfo> boards = await DfuDevice.ListBoardsAsync(bus, DfuDeviceSelector.Parse("1209:df11"));

        boards.Should().BeEmpty();
    }

    [Fact]
    public async Task OpenAll_ThreeBoards_OpensEachInItsOwnSessionAndTheyRunInParallel()
    {
        SimulatedUsbBus bus = Rig(("stm32f4", "1-1"), ("stm32f4", "1-2"), ("stm32f4", "1-3"));
        byte[] firmware = new byte[20_000];
        new Random(1).NextBytes(firmware);

        IReadOnlyList<DfuDevice> devices = await DfuDevice.OpenAllAsync(bus, null, Options);
        try
        {
            devices.Select(d => d.Info.PortPath).Should().Equal("1-1", "1-2", "1-3");
            await Task.WhenAll(devices.Select(d => d.DownloadAsync(Formats.MemoryImage.FromBytes(0x0800_0000, firmware), null, new DownloadOptions())));
        }
        finally
        {
            foreach (DfuDevice device in devices)
            {
                await device.DisposeAsync();
            }
        }

        bus.Devices.Should().AllSatisfy(d => d.ReadMemory(0x0800_0000, firmware.Length).Should().Equal(firmware));
    }

    [Fact]
    public async Task OpenAll_NoBoard_ThrowsNotFound()
    {
        SimulatedUsbBus bus = Rig();

        Func<Task> open = () => DfuDevice.OpenAllAsync(bus, null, Options);

        await open.Should().ThrowAsync<DfuDeviceNotFoundException>();
    }

    [Fact]
    public async Task OpenAll_OneBoardCannotBeOpened_ClosesTheOthersAndThrows()
    {
        SimulatedUsbBus bus = Rig(("stm32f4", "1-1"), ("stm32f4", "1-2"));
        var failing = new FailingOpen(bus, "1-2");

        Func<Task> open = () => DfuDevice.OpenAllAsync(failing, null, Options);

        await open.Should().ThrowAsync<UsbTransportException>();
        failing.Opened.Should().Be(1, "the board at 1-1 was opened");
        failing.Closed.Should().Be(1, "and closed again when 1-2 could not be");
    }

    // A bus whose board at one port cannot be opened; it counts the transports opened and closed.
    private sealed class FailingOpen(SimulatedUsbBus bus, string path) : IUsbDeviceProvider
    {
        private int _opened;
        private int _closed;

        public int Opened => Volatile.Read(ref _opened);

        public int Closed => Volatile.Read(ref _closed);

        public TimeProvider TimeProvider => bus.TimeProvider;

        public ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default) => bus.EnumerateAsync(cancellationToken);

        public async ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default)
        {
            if (device.PortPath == path)
            {
                throw new UsbTransportException(UsbError.Access, $"{device.DisplayName} is claimed by another driver.");
            }

            IUsbTransport transport = await bus.OpenAsync(device, cancellationToken);
            Interlocked.Increment(ref _opened);
            return new Counted(transport, () => Interlocked.Increment(ref _closed));
        }

        public ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => bus.WaitForArrivalAsync(timeout, cancellationToken);
    }

    private sealed class Counted(IUsbTransport inner, Action closed) : IUsbTransport
    {
        public UsbDeviceInfo Device => inner.Device;

        public ValueTask<int> ControlInAsync(UsbSetupPacket setup, Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
            => inner.ControlInAsync(setup, buffer, timeout, cancellationToken);

        public ValueTask ControlOutAsync(UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default)
            => inner.ControlOutAsync(setup, data, timeout, cancellationToken);

        public ValueTask ClaimInterfaceAsync(byte interfaceNumber, CancellationToken cancellationToken = default)
            => inner.ClaimInterfaceAsync(interfaceNumber, cancellationToken);

        public ValueTask SetAlternateSettingAsync(byte interfaceNumber, byte alternateSetting, CancellationToken cancellationToken = default)
            => inner.SetAlternateSettingAsync(interfaceNumber, alternateSetting, cancellationToken);

        public ValueTask ResetAsync(CancellationToken cancellationToken = default) => inner.ResetAsync(cancellationToken);

        public ValueTask<string?> GetStringDescriptorAsync(byte index, ushort languageId = 0, CancellationToken cancellationToken = default)
            => inner.GetStringDescriptorAsync(index, languageId, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            closed();
            await inner.DisposeAsync();
        }
    }
}
