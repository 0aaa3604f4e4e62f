using System.Globalization;
using System.Collections.Immutable;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>
/// A simulated USB DFU 1.1 or ST DfuSe device: the device side of a USB bus, with a flash model,
/// timing, mode switching and fault injection. It is strict: a request the DFU 1.1 state table (Appendix A) does not
/// allow in the current state STALLs and moves the device to dfuERROR with errSTALLEDPKT.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="HandleControl"/> and <see cref="BusReset"/> are the device's whole interface to a bus: they know nothing
/// of .NET transports, so an emulator can forward every control transfer to them. In process, an
/// <see cref="IUsbTransport"/> reaches the device through <see cref="SimulatedUsbBus.OpenAsync"/> or <see cref="Connect"/>.
/// </para>
/// <para>
/// While the device is busy (programming, erasing, manifesting), a request that arrives before the busy time has
/// elapsed on the <see cref="TimeProvider"/> waits until it has, as a real device NAKs it.
/// </para>
/// </remarks>
public sealed partial class SimulatedDfuDevice
{
    private readonly Lock _gate = new();
    private readonly SimulatedDeviceProfile _home;
    private readonly SimulatedDeviceOptions _options;
    private readonly Random _random;
    private readonly Random _timingRandom;
    private readonly SimulatedUsbHub _hub;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _created;
    private readonly List<MemoryBank> _banks = [];
    private readonly HashSet<uint> _writeProtected;
    private readonly SimulatedFlash _flash;
    private readonly byte[] _firmware;
    private readonly int[] _requestCounts = new int[7];
    private readonly string? _serial;
    private SimulatedDeviceProfile? _memoryProfile;

    private SimulatedDeviceProfile _profile;
    private DfuState _state;
    private DfuStatus _status;
    private string? _statusText;
    private byte _alternateSetting;
    private byte _configuration;
    private uint _pointer;
    private bool _readProtected;

    private bool _hasPending;
    private byte[] _pending = [];
    private ushort _pendingBlock;
    private int _pendingDataBlock = -1;

    private DateTimeOffset _busyUntil;
    private uint _busyPoll;
    private bool _stuck;
    private DfuStatus? _errorAfterBusy;
    private string? _errorTextAfterBusy;
    private bool _manifestDone;
    private bool _manifested;
    private DateTimeOffset _detachDeadline;

    private int _firmwareLength;
    private int _downloadOffset;
    private int _uploadOffset;

    private int _dataBlocks;
    private TimeSpan _requiredWait;
    private TimeSpan _minimumTime;
    private int _erases;
    private int _wrongStateServed;

    private bool _connected = true;
    private DateTimeOffset? _reappearAt;
    private SimulatedDeviceProfile? _nextProfile;
    private int _generation;
    private UsbDeviceInfo? _info;

    /// <summary>Initializes a new device.</summary>
    /// <param name="profile">What the device is.</param>
    /// <param name="options">How it runs; <see langword="null"/> for real time, no faults, erased memory.</param>
    /// <exception cref="ArgumentException">The profile's memory layout or the initial memory is invalid.</exception>
    public SimulatedDfuDevice(SimulatedDeviceProfile profile, SimulatedDeviceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        _home = profile;
        _profile = profile;
        _options = options ?? new SimulatedDeviceOptions();
        _random = new Random(_options.Seed);
        _timingRandom = new Random(unchecked((_options.Seed * 31) + 17));
        _hub = _options.Hub ?? new SimulatedUsbHub();
        _time = _options.TimeProvider;
        _created = _time.GetUtcNow();
        _busyUntil = _created;
        _serial = _options.SerialNumber ?? profile.SerialNumber;
        PortPath = _options.PortPath ?? $"sim:{profile.Name}";
        Faults = _options.Faults;
        _readProtected = _options.ReadProtected;
        _writeProtected = [.. _options.WriteProtectedSectors];
        _flash = new SimulatedFlash(_banks, _writeProtected);

        // Memory belongs to the device, not to a mode: a run-time device and its DFU-mode self share it.
        int capacity = 0;
        for (SimulatedDeviceProfile? p = profile; p is not null; p = p.DfuModeProfile)
        {
            capacity = Math.Max(capacity, p.IsDfuSe || p.IsRuntime || p.IsHid ? 0 : p.FirmwareCapacity);
            if (p.IsDfuSe && _banks.Count == 0)
            {
                AddBanks(p);
            }
        }

        _firmware = new byte[capacity];
        _firmware.AsSpan().Fill(0xFF);
        Preload(_options.InitialMemory);
        if (_readProtected)
        {
            WriteReadProtectionByte(0x55);
        }

        ResetProtocolState();
        if (_options.StartsInFirmwareError && !_profile.IsRuntime && !_profile.IsHid)
        {
            // dfu-util device-logs/stm32f4discovery.bin-download: an ST ROM without a valid application starts in
            // "dfuERROR, status(10) = errFIRMWARE".
            _state = DfuState.DfuError;
            _status = DfuStatus.ErrFirmware;
        }
    }

    /// <summary>Gets the profile the device was created with.</summary>
    public SimulatedDeviceProfile HomeProfile => _home;

    /// <summary>Gets the profile the device presents now (a run-time device presents its DFU-mode profile after DFU_DETACH).</summary>
    public SimulatedDeviceProfile Profile
    {
        get
        {
            lock (_gate)
            {
                RefreshPresence();
                return _profile;
            }
        }
    }

    /// <summary>Gets the port path the device reports.</summary>
    public string PortPath { get; internal set; }

    /// <summary>Gets the clock the device runs on.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>Gets or sets the injected faults.</summary>
    public SimulatedFaults Faults { get; set; }

    /// <summary>Gets the record of every request the device received.</summary>
    public Transcript Transcript { get; } = new();

    /// <summary>Gets the current bState.</summary>
    public DfuState State
    {
        get
        {
            lock (_gate)
            {
                RefreshPresence();
                return _state;
            }
        }
    }

    /// <summary>Gets the current bStatus.</summary>
    public DfuStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Gets the selected alternate setting.</summary>
    public byte AlternateSetting
    {
        get
        {
            lock (_gate)
            {
                return _alternateSetting;
            }
        }
    }

    /// <summary>Gets the DfuSe address pointer.</summary>
    public uint AddressPointer
    {
        get
        {
            lock (_gate)
            {
                return _pointer;
            }
        }
    }

    /// <summary>Gets a value indicating whether flash read protection is active.</summary>
    public bool ReadProtected
    {
        get
        {
            lock (_gate)
            {
                return _readProtected;
            }
        }
    }

    /// <summary>Gets a value indicating whether the device is on the bus now.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_gate)
            {
                RefreshPresence();
                return _connected;
            }
        }
    }

    /// <summary>Gets the number of times the device has left the bus (re-enumerations, resets, disconnects).</summary>
    public int Generation
    {
        get
        {
            lock (_gate)
            {
                RefreshPresence();
                return _generation;
            }
        }
    }

    /// <summary>Gets the number of data blocks the device has received.</summary>
    public int DataBlocksReceived
    {
        get
        {
            lock (_gate)
            {
                return _dataBlocks;
            }
        }
    }

    /// <summary>
    /// Gets the device-imposed minimum of this session: the USB bus time of every transfer the host needed
    /// (<see cref="SimulatedBusTime"/>; none when the profile's timing has no bus time), the time the device was busy,
    /// plus every poll wait it does not let a host skip. A device that holds GETSTATUS while busy lets the host skip
    /// the bwPollTimeout it reports; one that may STALL an early GETSTATUS (<see cref="SimulatedDeviceProfile.EarlyPollStallChance"/>) does not. No host
    /// can finish the same requests sooner; a benchmark divides its wall time by this.
    /// </summary>
    public TimeSpan DeviceMinimumTime
    {
        get
        {
            lock (_gate)
            {
                return _minimumTime;
            }
        }
    }

    /// <summary>
    /// Gets the least time a host that follows DFU 1.1 must have spent waiting on this device: for every operation, the
    /// longer of the bwPollTimeout the device reported (the host must wait it) and the time the device was busy (it
    /// cannot answer sooner). A benchmark divides its wall time by this.
    /// </summary>
    public TimeSpan RequiredWaitTime
    {
        get
        {
            lock (_gate)
            {
                return _requiredWait;
            }
        }
    }

    /// <summary>Gets the time, on the device's clock, at which the device returns to the bus, or <see langword="null"/> when it is on it.</summary>
    public DateTimeOffset? ReconnectsAt
    {
        get
        {
            lock (_gate)
            {
                RefreshPresence();
                return _connected ? null : _reappearAt;
            }
        }
    }

    /// <summary>Gets the firmware image a plain DFU device holds (what UPLOAD returns).</summary>
    public ReadOnlyMemory<byte> Firmware
    {
        get
        {
            lock (_gate)
            {
                return _firmware.AsSpan(0, _firmwareLength).ToArray();
            }
        }
    }

    /// <summary>Gets what a host learns by enumerating the device now.</summary>
    public UsbDeviceInfo Device
    {
        get
        {
            lock (_gate)
            {
                RefreshPresence();
                return _info ??= SimulatedDescriptors.Info(_profile, _serial, PortPath, 2 + (_generation % 120));
            }
        }
    }

    /// <summary>Creates a device from a stock profile.</summary>
    /// <param name="profileName">A name from <see cref="SimulatedProfiles.Names"/>.</param>
    /// <param name="options">How it runs.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException"><paramref name="profileName"/> is not a stock profile.</exception>
    public static SimulatedDfuDevice Create(string profileName, SimulatedDeviceOptions? options = null)
        => new(SimulatedProfiles.Get(profileName), options);

    /// <summary>Reads memory directly (DfuSe: any alternate setting's memory; plain DFU: the firmware store from offset 0).</summary>
    /// <param name="address">The first address or offset.</param>
    /// <param name="length">The number of bytes.</param>
    /// <returns>A copy of the bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside one memory.</exception>
    public byte[] ReadMemory(uint address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        lock (_gate)
        {
            if (_banks.Count == 0)
            {
                if ((ulong)address + (uint)length > (ulong)_firmware.Length)
                {
                    throw new ArgumentOutOfRangeException(nameof(address), $"0x{address:X8}+{length} is outside the {_firmware.Length}-byte firmware store.");
                }

                return _firmware.AsSpan((int)address, length).ToArray();
            }

            MemoryBank bank = BankFor(address, length)
                ?? throw new ArgumentOutOfRangeException(nameof(address), $"0x{address:X8}+{length} is not inside one memory of the device.");
            return bank.Slice(address, length).ToArray();
        }
    }

    /// <summary>Waits until the device is on the bus (it may be re-enumerating).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the device is on the bus.</returns>
    /// <exception cref="InvalidOperationException">The device is off the bus for good.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask WaitUntilConnectedAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            DateTimeOffset? at;
            DateTimeOffset now;
            lock (_gate)
            {
                RefreshPresence();
                if (_connected)
                {
                    return;
                }

                at = _reappearAt;
                now = _time.GetUtcNow();
            }

            if (at is not { } when)
            {
                throw new InvalidOperationException("The simulated device has left the bus for good.");
            }

            await Task.Delay(VirtualTimeProvider.WholeMilliseconds(when - now), _time, cancellationToken);
        }
    }

    /// <summary>
    /// Opens an <see cref="IUsbTransport"/> to the device without a bus, as a cable to a lone board: it follows the
    /// device across re-enumerations and fails with <see cref="UsbError.NoDevice"/> only while the device is away.
    /// </summary>
    /// <returns>The transport; disposing it leaves the device as it is.</returns>
    /// <remarks>A handle that dies when the device re-enumerates comes from <see cref="SimulatedUsbBus.OpenAsync"/>.</remarks>
    public IUsbTransport Connect() => new SimulatedDeviceConnection(this, null, null);

    /// <summary>
    /// Handles one control transfer, as the device's USB controller sees it: the SETUP packet and the OUT data stage,
    /// answered with a status, the IN data stage and whether the device now leaves the bus.
    /// </summary>
    /// <param name="setup">The SETUP packet.</param>
    /// <param name="outData">The OUT data (empty for IN transfers); its length must equal wLength.</param>
    /// <returns>The device's answer.</returns>
    /// <remarks>If the device is busy, the call waits (on the device's clock) until it is not, as a NAKing device does.</remarks>
    public SimulatedControlResult HandleControl(UsbSetupPacket setup, ReadOnlySpan<byte> outData)
    {
        SimulatedControlResult result = HandleControlUnpaced(setup, outData, out DateTimeOffset transferEnd);
        WaitForBus(transferEnd);
        return result;
    }

    /// <summary>
    /// Handles a control transfer without waiting for its bus time: <paramref name="transferEnd"/> says when the bus has
    /// carried it. The in-process transport waits for it asynchronously (<see cref="WaitForBusAsync"/>), so boards on
    /// separate buses overlap their bus time on one clock, virtual or real.
    /// </summary>
    internal SimulatedControlResult HandleControlUnpaced(UsbSetupPacket setup, ReadOnlySpan<byte> outData, out DateTimeOffset transferEnd)
    {
        transferEnd = DateTimeOffset.MinValue;
        TimeSpan wait = BusyLeft();
        if (wait > TimeSpan.Zero)
        {
            if (StallEarlyPoll(setup, outData.Length))
            {
                return SimulatedControlResult.Stall;
            }

            if (_profile.HoldsStatusWhileBusy || !IsGetStatus(setup))
            {
                WaitSynchronously(wait);
            }
        }

        SimulatedControlResult result;
        lock (_gate)
        {
            RefreshPresence();
            DateTimeOffset now = _time.GetUtcNow();
            TimeSpan at = now - _created;
            if (!_connected)
            {
                Record(at, RequestName(setup), setup, outData.Length, SimulatedControlResult.NoDevice, string.Empty);
                return SimulatedControlResult.NoDevice;
            }

            CompleteBusyIfElapsed();
            DateTimeOffset busyBefore = _busyUntil;
            string detail = string.Empty;
            bool answeredEarly = false;
            if (!setup.IsDeviceToHost && outData.Length != setup.Length)
            {
                result = SimulatedControlResult.Stall;
            }
            else if (IsGetStatus(setup) && _state is DfuState.DfuDnbusy or DfuState.DfuManifest && _busyUntil > now && !_profile.HoldsStatusWhileBusy)
            {
                // A device that does not hold GETSTATUS answers at once that it is still busy, and asks for the wait again.
                result = SimulatedControlResult.AckWith(StatusReply(_status, _busyPoll, _state, 0));
                detail = string.Create(CultureInfo.InvariantCulture, $"still busy; poll {_busyPoll} ms");
                answeredEarly = true;
            }
            else
            {
                result = setup.Type switch
                {
                    UsbRequestType.Standard => HandleStandard(setup),
                    UsbRequestType.Class when _profile.IsHid => HandleHid(setup, outData, ref detail),
                    UsbRequestType.Class => HandleClass(setup, outData, ref detail),
                    _ => SimulatedControlResult.Stall,
                };
            }

            if (result.Data.Length > setup.Length)
            {
                result = result with { Data = result.Data[..setup.Length] };
            }

            transferEnd = ChargeBus(now, setup, outData.Length, result, busyBefore, countsToMinimum: !answeredEarly);
            Record(at, RequestName(setup), setup, outData.Length, result, detail);
        }

        return result;
    }

    /// <summary>Signals a USB bus reset to the device.</summary>
    /// <returns>The device's answer: <see cref="SimulatedControlStatus.NoDevice"/> when it is not on the bus.</returns>
    /// <remarks>
    /// In appDETACH (before wDetachTimeOut) the device comes back in DFU mode; in dfuMANIFEST-WAIT-RESET, or after a
    /// completed manifestation, it comes back as its application (its home profile); otherwise it restarts as it was,
    /// in dfuIDLE or appIDLE (DFU 1.1 Appendix A). Only a change of identity makes it leave the bus and re-enumerate
    /// (<see cref="SimulatedControlResult.Reenumerate"/>); otherwise it stays, unconfigured, with its protocol state reset.
    /// </remarks>
    public SimulatedControlResult BusReset()
    {
        lock (_gate)
        {
            RefreshPresence();
            TimeSpan at = _time.GetUtcNow() - _created;
            if (!_connected)
            {
                Record(at, "BUS_RESET", null, 0, SimulatedControlResult.NoDevice, string.Empty);
                return SimulatedControlResult.NoDevice;
            }

            CompleteBusyIfElapsed();
            SimulatedDeviceProfile next;
            string detail;
            if (_profile.IsRuntime)
            {
                bool detaching = _state == DfuState.AppDetach && _time.GetUtcNow() <= _detachDeadline;
                next = detaching && _profile.DfuModeProfile is { } dfu ? dfu : _profile;
                detail = detaching ? "enter DFU mode" : "restart";
            }
            else if (_state == DfuState.DfuManifestWaitReset || _manifested)
            {
                next = _home;
                detail = "start application";
            }
            else
            {
                next = _profile;
                detail = "restart";
            }

            // A reset that keeps the device's identity leaves it on the bus (libusb keeps the handle); one that changes
            // it (run-time <-> DFU mode) makes it leave and come back as the other device.
            bool changes = !ReferenceEquals(next, _profile);
            if (changes)
            {
                Reenumerate(next);
            }
            else
            {
                ResetProtocolState();
            }

            var result = new SimulatedControlResult(SimulatedControlStatus.Ack, ReadOnlyMemory<byte>.Empty, changes);
            Record(at, "BUS_RESET", null, 0, result, detail);
            return result;
        }
    }

    // fwupd#2696 ("DFU Device stalled an unexpected request"): an ST ROM may STALL a GETSTATUS that comes while it is
    // still busy, instead of holding it. Drawn per busy GETSTATUS with the profile's chance and the session's seed.
    internal bool StallEarlyPoll(UsbSetupPacket setup, int outLength)
    {
        if (_profile.EarlyPollStallChance <= 0 || setup.Type != UsbRequestType.Class || (DfuRequest)setup.Request != DfuRequest.GetStatus)
        {
            return false;
        }

        lock (_gate)
        {
            if (_random.NextDouble() >= _profile.EarlyPollStallChance)
            {
                return false;
            }

            Record(_time.GetUtcNow() - _created, RequestName(setup), setup, outLength, SimulatedControlResult.Stall, "injected: early poll stalled while busy");
            return true;
        }
    }

    /// <summary>Returns how long a request that arrives now waits (NAKed) before the device handles it; zero when it
    /// is ready, and always zero on a device that answers GETSTATUS while busy
    /// (<see cref="SimulatedDeviceProfile.HoldsStatusWhileBusy"/> clear): it decides request by request.</summary>
    internal TimeSpan BusyRemaining() => _profile.HoldsStatusWhileBusy ? BusyLeft() : TimeSpan.Zero;

    private static bool IsGetStatus(UsbSetupPacket setup)
        => setup.Type == UsbRequestType.Class && (DfuRequest)setup.Request == DfuRequest.GetStatus;

    /// <summary>Returns how long the device stays busy; zero when it is ready.</summary>
    private TimeSpan BusyLeft()
    {
        lock (_gate)
        {
            TimeSpan left = _busyUntil - _time.GetUtcNow();
            return _connected && left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Charges the bus time of a transfer that the device has just handled (<see cref="SimulatedBusTime"/>), on its own
    /// bus or on the hub it shares: the transfer ends when the bus has carried it. An operation it started runs from
    /// then on; its bus time adds to the device-imposed minimum unless the host chose to send it early.
    /// </summary>
    /// <returns>When the transfer ends.</returns>
    private DateTimeOffset ChargeBus(DateTimeOffset now, UsbSetupPacket setup, int outLength, SimulatedControlResult result, DateTimeOffset busyBefore, bool countsToMinimum)
    {
        if (!_profile.Timing.FullSpeedBusTime || result.Status is not (SimulatedControlStatus.Ack or SimulatedControlStatus.Stall))
        {
            return now;
        }

        // A STALL ends the transfer after its SETUP transaction; otherwise the data stage carries what was sent.
        int data = result.Status == SimulatedControlStatus.Stall ? 0 : setup.IsDeviceToHost ? result.Data.Length : outLength;
        TimeSpan bus = SimulatedBusTime.ControlTransfer(data);
        DateTimeOffset end = _hub.Reserve(now, bus);
        if (_busyUntil != busyBefore && _busyUntil > now)
        {
            _busyUntil += end - now;
        }

        if (countsToMinimum)
        {
            AddToMinimum(bus);
        }

        return end;
    }

    /// <summary>
    /// Adds to the device-imposed minimum (<see cref="DeviceMinimumTime"/>). This is the one place that defines it:
    /// the bus time of every transfer the host needs, the busy time of every operation, and every poll wait that the
    /// device does not let a host skip (one that may STALL an early GETSTATUS makes the host wait its bwPollTimeout).
    /// </summary>
    private void AddToMinimum(TimeSpan time) => _minimumTime += time > TimeSpan.Zero ? time : TimeSpan.Zero;

    /// <summary>The share of the minimum of one operation: its busy time, or the poll timeout when the device may STALL an early poll.</summary>
    private TimeSpan OperationMinimum(TimeSpan busy, TimeSpan asked)
        => _profile.EarlyPollStallChance > 0 && asked > busy ? asked : busy;

    // Waits until a transfer has had its bus time. In real time a wait under a millisecond is carried over: the bus
    // stays reserved until then, so the next transfer starts later, and the total is kept without spinning.
    // The asynchronous form of WaitForBus, for the in-process transport: a timer on the device's clock (precise to the
    // tick, also under a millisecond on the virtual clock), so concurrent boards wait for their buses side by side.
    internal async ValueTask WaitForBusAsync(DateTimeOffset end, CancellationToken cancellationToken)
    {
        TimeSpan left = end - _time.GetUtcNow();
        if (left <= TimeSpan.Zero || (_time is not VirtualTimeProvider && left < TimeSpan.FromMilliseconds(1)))
        {
            return;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using ITimer timer = _time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), done, left, Timeout.InfiniteTimeSpan);
        await using (cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetCanceled(), done).ConfigureAwait(false))
        {
            await done.Task.ConfigureAwait(false);
        }
    }

    private void WaitForBus(DateTimeOffset end)
    {
        TimeSpan left = end - _time.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            return;
        }

        if (_time is VirtualTimeProvider virtualTime)
        {
            virtualTime.MoveTo(end);
        }
        else if (left >= TimeSpan.FromMilliseconds(1))
        {
            Thread.Sleep((int)left.TotalMilliseconds);
        }
    }

    private void WaitSynchronously(TimeSpan wait)
    {
        if (_time is VirtualTimeProvider virtualTime)
        {
            virtualTime.MoveTo(virtualTime.GetUtcNow() + wait);
        }
        else
        {
            // A synchronous caller (an emulator thread) blocks while the device NAKs.
            Task.Delay(wait, _time).GetAwaiter().GetResult();
        }
    }

    private void AddBanks(SimulatedDeviceProfile profile)
    {
        _memoryProfile = profile;
        for (int alt = 0; alt < profile.AlternateSettings.Length; alt++)
        {
            SimulatedAlternateSetting setting = profile.AlternateSettings[alt];
            ImmutableArray<SimulatedSector> sectors;
            try
            {
                sectors = SimulatedMemoryLayout.Parse(setting.Name);
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"Alternate setting {alt} of profile {profile.Name}: {e.Message}", nameof(profile), e);
            }

            foreach (MemoryBank bank in MemoryBank.FromLayout(alt, setting.Kind, sectors))
            {
                long offset = (long)bank.Base - sectors[0].Address;
                long n = Math.Min(bank.Data.Length, setting.InitialContent.Length - offset);
                if (n > 0)
                {
                    setting.InitialContent.AsSpan((int)offset, (int)n).CopyTo(bank.Data);
                }

                _banks.Add(bank);
            }
        }
    }

    private void Preload(ImmutableArray<SimulatedMemoryImage> images)
    {
        foreach (SimulatedMemoryImage image in images)
        {
            if (_banks.Count == 0)
            {
                if ((ulong)image.Address + (uint)image.Data.Length > (ulong)_firmware.Length)
                {
                    throw new ArgumentException($"Initial memory at 0x{image.Address:X8} ({image.Data.Length} bytes) does not fit the firmware store.", nameof(images));
                }

                image.Data.AsSpan().CopyTo(_firmware.AsSpan((int)image.Address));
                _firmwareLength = Math.Max(_firmwareLength, (int)image.Address + image.Data.Length);
            }
            else
            {
                MemoryBank bank = BankFor(image.Address, image.Data.Length)
                    ?? throw new ArgumentException($"Initial memory at 0x{image.Address:X8} ({image.Data.Length} bytes) is not inside one memory.", nameof(images));
                image.Data.AsSpan().CopyTo(bank.Slice(image.Address, image.Data.Length));
            }
        }
    }

    private MemoryBank? BankFor(uint address, int length, int? alternateSetting = null) => _flash.BankFor(address, length, alternateSetting);

    private void ResetProtocolState()
    {
        _state = _profile.IsRuntime || _profile.IsHid ? DfuState.AppIdle : DfuState.DfuIdle;
        _status = DfuStatus.Ok;
        _statusText = null;
        _alternateSetting = 0;
        _configuration = 0;
        _hasPending = false;
        _pending = [];
        _busyUntil = _time.GetUtcNow();
        _errorAfterBusy = null;
        _errorTextAfterBusy = null;
        _manifestDone = false;
        _manifested = false;
        _stuck = false;
        _downloadOffset = 0;
        _uploadOffset = 0;
        _pointer = _banks.Count > 0 ? _banks[0].Base : 0;
        _info = null;
    }

    /// <summary>Leaves the bus now and comes back as <paramref name="next"/> after <paramref name="after"/> plus the re-enumeration time.</summary>
    private void Reenumerate(SimulatedDeviceProfile next, TimeSpan after = default)
    {
        DateTimeOffset now = _time.GetUtcNow();
        _connected = false;
        _generation++;
        _nextProfile = next;
        _reappearAt = now + after + (_options.ReenumerationDelay ?? _profile.Timing.ReenumerationTime);
        _busyUntil = now;
        _info = null;
    }

    private void RefreshPresence()
    {
        if (!_connected && _reappearAt is { } at && _time.GetUtcNow() >= at)
        {
            _connected = true;
            _reappearAt = null;
            _profile = _nextProfile ?? _profile;
            _nextProfile = null;
            ResetProtocolState();
        }
    }

    private void CompleteBusyIfElapsed()
    {
        if (_time.GetUtcNow() < _busyUntil)
        {
            return;
        }

        if (_state == DfuState.DfuDnbusy && _stuck)
        {
            // Stuck (StuckEraseFrom): the sector is erased, but the device stays in dfuDNBUSY until it is cleared.
        }
        else if (_state == DfuState.DfuDnbusy)
        {
            if (_errorAfterBusy is { } error)
            {
                _state = DfuState.DfuError;
                _status = error;
                _statusText = _errorTextAfterBusy;
                _errorAfterBusy = null;
                _errorTextAfterBusy = null;
            }
            else
            {
                // DFU 1.1 Appendix A, state 4: when the poll timeout has elapsed the device returns to dfuDNLOAD-SYNC.
                _state = DfuState.DfuDnloadSync;
            }
        }
        else if (_state == DfuState.DfuManifest && !_profile.IsDfuSe)
        {
            // State 7: manifestation-tolerant devices return to dfuMANIFEST-SYNC, others wait for a reset.
            if ((_profile.Attributes & DfuAttributes.ManifestationTolerant) != 0)
            {
                _state = DfuState.DfuManifestSync;
                _manifestDone = true;
            }
            else
            {
                _state = DfuState.DfuManifestWaitReset;
            }

            _manifested = true;
        }
    }

    private void Record(TimeSpan at, string name, UsbSetupPacket? setup, int outLength, SimulatedControlResult result, string detail)
        => Transcript.Add(new TranscriptEntry(at, name, setup, outLength, result.Data.Length, result.Status, result.Reenumerate, _state, _status, detail));

    private static string RequestName(UsbSetupPacket setup)
    {
        if (setup.Type == UsbRequestType.Class && setup.Request <= (byte)DfuRequest.Abort)
        {
            return (DfuRequest)setup.Request switch
            {
                DfuRequest.Detach => "DFU_DETACH",
                DfuRequest.Dnload => "DFU_DNLOAD",
                DfuRequest.Upload => "DFU_UPLOAD",
                DfuRequest.GetStatus => "DFU_GETSTATUS",
                DfuRequest.ClrStatus => "DFU_CLRSTATUS",
                DfuRequest.GetState => "DFU_GETSTATE",
                _ => "DFU_ABORT",
            };
        }

        if (setup.Type == UsbRequestType.Class && setup.Request is UsbStandard.HidSetReportRequest or UsbStandard.HidSetIdleRequest)
        {
            // HID 1.11 §7.2: no DFU request has these numbers, so the names are unambiguous.
            return setup.Request == UsbStandard.HidSetReportRequest ? "HID_SET_REPORT" : "HID_SET_IDLE";
        }

        if (setup.Type == UsbRequestType.Standard)
        {
            return setup.Request switch
            {
                UsbStandard.GetStatusRequest => "GET_STATUS",
                UsbStandard.ClearFeatureRequest => "CLEAR_FEATURE",
                UsbStandard.SetFeatureRequest => "SET_FEATURE",
                UsbStandard.SetAddressRequest => "SET_ADDRESS",
                UsbStandard.GetDescriptorRequest => "GET_DESCRIPTOR",
                UsbStandard.GetConfigurationRequest => "GET_CONFIG",
                UsbStandard.SetConfigurationRequest => "SET_CONFIG",
                UsbStandard.GetInterfaceRequest => "GET_INTERFACE",
                UsbStandard.SetInterfaceRequest => "SET_INTERFACE",
                _ => $"STD_0x{setup.Request:X2}",
            };
        }

        return $"REQ_0x{setup.Request:X2}";
    }

    private SimulatedControlResult HandleStandard(UsbSetupPacket setup)
    {
        switch (setup.Request)
        {
            case UsbStandard.GetDescriptorRequest when setup.IsDeviceToHost:
                return GetDescriptor(setup);
            case UsbStandard.GetStatusRequest when setup.IsDeviceToHost:
                return SimulatedControlResult.AckWith(new byte[2]);
            case UsbStandard.GetConfigurationRequest when setup.IsDeviceToHost && setup.Recipient == UsbRecipient.Device:
                return SimulatedControlResult.AckWith(new[] { _configuration });
            case UsbStandard.SetConfigurationRequest when !setup.IsDeviceToHost && setup.Recipient == UsbRecipient.Device:
                if (setup.Value > SimulatedDescriptors.ConfigurationValue)
                {
                    return SimulatedControlResult.Stall;
                }

                _configuration = (byte)setup.Value;
                return SimulatedControlResult.Ack;
            case UsbStandard.GetInterfaceRequest when setup.IsDeviceToHost && setup.Recipient == UsbRecipient.Interface && setup.Index == SimulatedDescriptors.DfuInterfaceNumber:
                return SimulatedControlResult.AckWith(new[] { _alternateSetting });
            case UsbStandard.SetInterfaceRequest when !setup.IsDeviceToHost && setup.Recipient == UsbRecipient.Interface:
                if (setup.Index != SimulatedDescriptors.DfuInterfaceNumber || setup.Value >= _profile.AlternateSettings.Length)
                {
                    return SimulatedControlResult.Stall;
                }

                _alternateSetting = (byte)setup.Value;
                return SimulatedControlResult.Ack;
            case UsbStandard.ClearFeatureRequest or UsbStandard.SetFeatureRequest or UsbStandard.SetAddressRequest when !setup.IsDeviceToHost:
                return SimulatedControlResult.Ack;
            default:
                return SimulatedControlResult.Stall;
        }
    }

    private SimulatedControlResult GetDescriptor(UsbSetupPacket setup)
    {
        int type = setup.Value >> 8;
        int index = setup.Value & 0xFF;
        byte[]? descriptor = type switch
        {
            UsbStandard.DeviceDescriptor when index == 0 => SimulatedDescriptors.Device(_profile, _serial),
            UsbStandard.ConfigurationDescriptor when index == 0 => SimulatedDescriptors.Configuration(_profile),
            UsbStandard.StringDescriptor when index == 0 => SimulatedDescriptors.String(null, 0),
            UsbStandard.StringDescriptor when index == SimulatedDescriptors.SerialIndex && _profile.Utf8SerialString && _serial is not null
                => Utf8StringDescriptor(_serial),
            UsbStandard.StringDescriptor => SimulatedDescriptors.StringAt(_profile, _serial, _statusText, index) is { } text
                ? SimulatedDescriptors.String(text, index)
                : null,
            // 0x21 is the HID descriptor on a HID interface and the DFU functional descriptor on a DFU interface.
            UsbStandard.ClassDescriptor when _profile.IsHid => SimulatedDescriptors.Hid(_profile),
            UsbStandard.HidReportDescriptor when _profile.IsHid && setup.Recipient == UsbRecipient.Interface
                && setup.Index == SimulatedDescriptors.DfuInterfaceNumber => [.. _profile.HidReportDescriptor],
            DfuFunctionalDescriptor.DescriptorType => SimulatedDescriptors.Functional(_profile),
            _ => null,
        };
        return descriptor is null ? SimulatedControlResult.Stall : SimulatedControlResult.AckWith(descriptor);
    }

    // GD32 ROMs put the serial number's UTF-8 bytes in the string descriptor where USB 2.0 §9.6.7 asks for UTF-16LE
    // (dfu-util src/quirks.h, QUIRK_UTF8_SERIAL for 28e9:0189).
    private static byte[] Utf8StringDescriptor(string text)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        int length = Math.Min(utf8.Length, 253);
        var d = new byte[2 + length];
        d[0] = (byte)d.Length;
        d[1] = UsbStandard.StringDescriptor;
        utf8.AsSpan(0, length).CopyTo(d.AsSpan(2));
        return d;
    }
}
