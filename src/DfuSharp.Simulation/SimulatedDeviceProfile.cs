using System.Collections.Immutable;
using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>What a memory behind an alternate setting is made of.</summary>
public enum SimulatedMemoryKind
{
    /// <summary>NOR flash: erasing sets bytes to 0xFF, programming can only clear bits.</summary>
    Flash = 0,

    /// <summary>One-time-programmable memory: starts at 0xFF, programming can only clear bits, no erase.</summary>
    Otp,

    /// <summary>Registers or option bytes: a write replaces the bytes.</summary>
    Register,
}

/// <summary>What the device does when asked to program flash that is not erased.</summary>
public enum SimulatedUnerasedWrite
{
    /// <summary>The bits are ANDed in and the device reports errCHECK_ERASED.</summary>
    ReportCheckErased = 0,

    /// <summary>The bits are ANDed in and nothing is reported: the data is silently corrupt, as on a part without read-back check.</summary>
    SilentlyCorrupt,
}

/// <summary>One alternate setting of the DFU interface and the memory behind it.</summary>
/// <param name="Name">
/// The interface string (iInterface). For a DfuSe device it is the memory layout, for example
/// <c>@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg</c> (ST UM0391).
/// </param>
/// <param name="Kind">What the memory is made of.</param>
public sealed record SimulatedAlternateSetting(string Name, SimulatedMemoryKind Kind = SimulatedMemoryKind.Flash)
{
    /// <summary>Gets the bytes the memory holds when the device is new (the rest is 0xFF); empty for none.</summary>
    public ImmutableArray<byte> InitialContent { get; init; } = [];

    /// <summary>
    /// Gets the offset of the read-protection (RDP) byte in these option bytes, or <see langword="null"/>. Writing a
    /// value other than 0xAA there turns read protection on; writing 0xAA while it is on mass-erases the flash and turns
    /// it off (RM0090, "Read protection (RDP)": level 1 to level 0).
    /// </summary>
    public int? ReadProtectionOffset { get; init; }
}

/// <summary>The time of erasing one sector of a given size.</summary>
/// <param name="SectorSize">The sector size in bytes.</param>
/// <param name="Time">How long the erase takes.</param>
public readonly record struct SimulatedEraseTime(int SectorSize, TimeSpan Time);

/// <summary>
/// How long a simulated device is busy, and what bwPollTimeout it reports for each operation (DFU 1.1 §6.1.2). A device
/// may report less than it needs, as real ones do; then a request arriving early waits (the device NAKs) until it is done.
/// </summary>
public sealed record SimulatedTiming
{
    /// <summary>Gets a timing in which nothing takes time and every poll timeout is 0.</summary>
    public static SimulatedTiming Instant { get; } = new();

    /// <summary>Gets the size of one programming unit in bytes (4 on STM32F4 with x32 parallelism, 2 on STM32F1).</summary>
    public int ProgramUnitSize { get; init; } = 4;

    /// <summary>Gets the time to program one unit.</summary>
    public TimeSpan ProgramUnitTime { get; init; }

    /// <summary>Gets the erase time by sector size; sizes not listed use <see cref="DefaultSectorEraseTime"/>.</summary>
    public ImmutableArray<SimulatedEraseTime> SectorEraseTimes { get; init; } = [];

    /// <summary>Gets the erase time of a sector whose size is not in <see cref="SectorEraseTimes"/>.</summary>
    public TimeSpan DefaultSectorEraseTime { get; init; }

    /// <summary>Gets the time of a mass erase.</summary>
    public TimeSpan MassEraseTime { get; init; }

    /// <summary>Gets the time of a DfuSe command that touches no flash (set address pointer).</summary>
    public TimeSpan CommandTime { get; init; }

    /// <summary>Gets the time of manifestation (plain DFU).</summary>
    public TimeSpan ManifestTime { get; init; }

    /// <summary>Gets the bwPollTimeout (ms) reported after a data block.</summary>
    public uint ProgramPollTimeout { get; init; }

    /// <summary>Gets the bwPollTimeout (ms) reported after a sector erase command.</summary>
    public uint ErasePollTimeout { get; init; }

    /// <summary>Gets the bwPollTimeout (ms) reported after a mass erase or read-unprotect command.</summary>
    public uint MassErasePollTimeout { get; init; }

    /// <summary>Gets the bwPollTimeout (ms) reported after a DfuSe command that touches no flash.</summary>
    public uint CommandPollTimeout { get; init; }

    /// <summary>Gets the bwPollTimeout (ms) reported when manifestation starts.</summary>
    public uint ManifestPollTimeout { get; init; }

    /// <summary>
    /// Gets a value indicating whether every control transfer costs USB full-speed bus time
    /// (<see cref="SimulatedBusTime.ControlTransfer"/>): the device answers when the transfer has had its time on the
    /// bus. <see langword="false"/> in <see cref="Instant"/>.
    /// </summary>
    public bool FullSpeedBusTime { get; init; }

    /// <summary>Gets the maximum programming time over the typical one, from the datasheet (1: no spread); used by
    /// <see cref="SimulatedTimingMode.Drawn"/>.</summary>
    public double ProgramTimeMaxRatio { get; init; } = 1;

    /// <summary>Gets the maximum erase time (sector and mass) over the typical one, from the datasheet (1: no spread);
    /// used by <see cref="SimulatedTimingMode.Drawn"/>.</summary>
    public double EraseTimeMaxRatio { get; init; } = 1;

    /// <summary>Gets how long the device is off the bus when it re-enumerates.</summary>
    public TimeSpan ReenumerationTime { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns the time needed to program <paramref name="length"/> bytes.</summary>
    /// <param name="length">The number of bytes.</param>
    /// <returns>The programming time.</returns>
    public TimeSpan ProgramTime(int length)
        => ProgramUnitTime * ((length + Math.Max(1, ProgramUnitSize) - 1) / Math.Max(1, ProgramUnitSize));

    /// <summary>Returns the time needed to erase a sector of <paramref name="sectorSize"/> bytes.</summary>
    /// <param name="sectorSize">The sector size.</param>
    /// <returns>The erase time.</returns>
    public TimeSpan EraseTime(int sectorSize)
    {
        foreach (SimulatedEraseTime entry in SectorEraseTimes)
        {
            if (entry.SectorSize == sectorSize)
            {
                return entry.Time;
            }
        }

        return DefaultSectorEraseTime;
    }
}

/// <summary>
/// Everything that makes one kind of simulated device: identity, descriptors, strings, memories, timing and
/// mode switching. Change a stock profile from <see cref="SimulatedProfiles"/> with a <c>with</c> expression.
/// </summary>
public sealed record SimulatedDeviceProfile
{
    /// <summary>The bcdDFUVersion of ST's DfuSe extension.</summary>
    public const ushort DfuSeVersion = 0x011A;

    /// <summary>Gets the profile's name (for example <c>stm32f4</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets idVendor.</summary>
    public required ushort VendorId { get; init; }

    /// <summary>Gets idProduct.</summary>
    public required ushort ProductId { get; init; }

    /// <summary>Gets bcdDevice.</summary>
    public ushort DeviceVersion { get; init; } = 0x0100;

    /// <summary>Gets the manufacturer string.</summary>
    public string? Manufacturer { get; init; }

    /// <summary>Gets the product string.</summary>
    public string? Product { get; init; }

    /// <summary>Gets the serial number string.</summary>
    public string? SerialNumber { get; init; }

    /// <summary>Gets bInterfaceProtocol: 1 in run-time mode, 2 in DFU mode (0 on some ST parts).</summary>
    public byte InterfaceProtocol { get; init; } = 2;

    /// <summary>Gets bmAttributes of the DFU functional descriptor.</summary>
    public DfuAttributes Attributes { get; init; } = DfuAttributes.CanDownload | DfuAttributes.CanUpload;

    /// <summary>Gets wDetachTimeOut in milliseconds.</summary>
    public ushort DetachTimeout { get; init; } = 1000;

    /// <summary>Gets wTransferSize.</summary>
    public ushort TransferSize { get; init; } = 1024;

    /// <summary>Gets bcdDFUVersion (0x0110, or 0x011A for DfuSe).</summary>
    public ushort DfuVersion { get; init; } = 0x0110;

    /// <summary>Gets the alternate settings of the DFU interface (interface 0), in order.</summary>
    public ImmutableArray<SimulatedAlternateSetting> AlternateSettings { get; init; } = [new("Flash")];

    /// <summary>
    /// Gets a value indicating whether the functional descriptor follows every alternate setting's interface
    /// descriptor; when <see langword="false"/> it follows only the last one, as on the ST ROM.
    /// </summary>
    public bool FunctionalDescriptorAfterEachSetting { get; init; } = true;

    /// <summary>
    /// Gets a value indicating whether a zero-length DNLOAD is accepted in dfuIDLE (starting manifestation or, on DfuSe,
    /// leave). DFU 1.1 forbids it; ST's DFU class accepts it, and <c>dfu-util -s :leave</c> without an address relies on it.
    /// </summary>
    public bool ZeroLengthDownloadInIdle { get; init; }

    /// <summary>Gets the size of the firmware store of a plain DFU device.</summary>
    public int FirmwareCapacity { get; init; } = 256 * 1024;

    /// <summary>Gets what programming unerased flash does.</summary>
    public SimulatedUnerasedWrite UnerasedWrite { get; init; }

    /// <summary>Gets the chance (0 to 1) that a DFU_GETSTATUS sent while the device is busy is STALLed instead of held;
    /// the draw is seeded by <see cref="SimulatedDeviceOptions.Seed"/>. The STALL leaves the DFU state as it is: the
    /// operation goes on, and a later GETSTATUS answers as usual.</summary>
    public double EarlyPollStallChance { get; init; }

    /// <summary>
    /// Gets a value indicating whether a DFU_GETSTATUS sent while the device is busy is held (NAKed) until the operation
    /// ends, as ST's ROMs do (fwupd#2696 log). When <see langword="false"/> the device answers it at once with
    /// dfuDNBUSY and the operation's bwPollTimeout again, and the host must ask later.
    /// </summary>
    public bool HoldsStatusWhileBusy { get; init; } = true;

    /// <summary>
    /// Gets the address from which a DfuSe sector erase leaves the device stuck in dfuDNBUSY, as the STM32H743 Rev.V
    /// ROM does for sectors 8–15 (bank 2, 0x08100000 and above): the sector is erased, but once the erase's busy time
    /// is over every DFU_GETSTATUS still answers dfuDNBUSY with the erase's bwPollTimeout, and the device never settles
    /// by itself. The first DFU_CLRSTATUS (which a DFU 1.1 device refuses outside dfuERROR) is acknowledged and puts it
    /// in dfuERROR with errUNKNOWN; the second, now in dfuERROR, brings it to dfuIDLE with OK as usual.
    /// <see langword="null"/>: never.
    /// </summary>
    /// <remarks>
    /// Sources: betaflight-configurator PR #1861 "Workaround for H7 Rev.V weirdness on erase beyond 1MB" (2020), quoting
    /// the ST community thread "Weird STM32H743ZI Rev.V USB DFU erase behavior beyond 1MB (sector 8)", where
    /// STM32CubeProgrammer is seen to unstick the ROM with this CLRSTATUS pair; betaflight-configurator PR #5348 (2026)
    /// "unstick H7 bootloaders wedged in dfuDNBUSY during erase". Writes do not stick.
    /// </remarks>
    public uint? StuckEraseFrom { get; init; }

    /// <summary>Gets a value indicating whether the serial number string descriptor holds UTF-8 bytes instead of UTF-16LE
    /// (USB 2.0 §9.6.7 asks for UTF-16LE), as GigaDevice's GD32 ROMs do (dfu-util quirks.h QUIRK_UTF8_SERIAL).</summary>
    public bool Utf8SerialString { get; init; }

    /// <summary>Gets a value indicating whether a DfuSe leave (zero-length DFU_DNLOAD) makes the device jump at once,
    /// leaving the bus without answering the GETSTATUS that ST AN3156 §6.3.5 expects, as GD32 ROMs do.</summary>
    public bool LeavesWithoutFinalStatus { get; init; }

    /// <summary>Gets the DfuSe commands the device lists for Get Commands (ST AN3156 §"Get Command").</summary>
    public ImmutableArray<byte> DfuSeCommands { get; init; } = [0x00, 0x21, 0x41, 0x92];

    /// <summary>Gets the timing.</summary>
    public SimulatedTiming Timing { get; init; } = SimulatedTiming.Instant;

    /// <summary>
    /// Gets the profile the device switches to when it leaves run-time mode (DFU_DETACH); <see langword="null"/> for a
    /// profile that starts in DFU mode.
    /// </summary>
    public SimulatedDeviceProfile? DfuModeProfile { get; init; }

    /// <summary>
    /// Gets the HID report descriptor of a HID application (ST's HID detach): when set, interface 0 is a HID interface
    /// (class 3) with this report descriptor instead of a DFU interface, and a SET_REPORT of the DETACH report (vendor
    /// usage page 0xFF00, usage 0x55) makes the device re-enumerate as <see cref="DfuModeProfile"/>. Empty for DFU devices.
    /// </summary>
    public ImmutableArray<byte> HidReportDescriptor { get; init; } = [];

    /// <summary>
    /// Gets the report the HID application acts on as DETACH: its type, id and length. The device checks SET_REPORT
    /// against these declared values, not against its own report descriptor, so that a host that reads the descriptor
    /// wrongly is caught.
    /// </summary>
    public SimulatedHidReport HidDetachReport { get; init; } = new(0x03, 0x80, 1);

    /// <summary>Gets a value indicating whether the device is a HID application (<see cref="HidReportDescriptor"/> is set).</summary>
    public bool IsHid => !HidReportDescriptor.IsDefaultOrEmpty;

    /// <summary>Gets a value indicating whether this is a DfuSe device (bcdDFUVersion 0x011A).</summary>
    public bool IsDfuSe => !IsHid && DfuVersion == DfuSeVersion;

    /// <summary>Gets a value indicating whether the device is in run-time mode (bInterfaceProtocol 1).</summary>
    public bool IsRuntime => !IsHid && InterfaceProtocol == 1;

    /// <summary>Gets the functional descriptor the device reports.</summary>
    public DfuFunctionalDescriptor FunctionalDescriptor => new(Attributes, DetachTimeout, TransferSize, DfuVersion);
}

/// <summary>A HID report a simulated HID application accepts with SET_REPORT (HID 1.11 §7.2.2).</summary>
/// <param name="Type">The report type: 2 Output, 3 Feature.</param>
/// <param name="Id">The report id (0: the descriptor declares none).</param>
/// <param name="Length">The report's length in bytes, without the report id byte.</param>
public readonly record struct SimulatedHidReport(byte Type, byte Id, int Length);
