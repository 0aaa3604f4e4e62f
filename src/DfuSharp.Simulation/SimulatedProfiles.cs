using System.Collections.Immutable;
using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>The stock simulated devices.</summary>
public static class SimulatedProfiles
{
    /// <summary>
    /// What ST's DfuSe bootloaders report: a bwPollTimeout of 50 ms for every operation, the fixed FLASH_ERASE_TIME /
    /// FLASH_PROGRAM_TIME of ST's DFU media template (usbd_dfu_flash.c; ST documents no other values), and a
    /// re-enumeration of 200 ms after leave. Each ST profile adds its own busy times with <c>with</c>.
    /// </summary>
    private static SimulatedTiming StDfuTemplateTiming { get; } = new()
    {
        ProgramPollTimeout = 50,
        ErasePollTimeout = 50,
        MassErasePollTimeout = 50,
        CommandPollTimeout = 50,
        ManifestPollTimeout = 50,
        ReenumerationTime = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>
    /// The STM32F405/407 ROM bootloader in DFU mode (ST AN2606, AN3156): 0483:DF11, bcdDevice 0x2200, DfuSe
    /// (bcdDFUVersion 0x011A), wTransferSize 2048, bmAttributes 0x0B, wDetachTimeOut 255 ms, 1 MiB of flash in
    /// 4×16 KiB, 1×64 KiB and 7×128 KiB sectors, option bytes, OTP and the device-feature area.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Busy times are the typical figures of the STM32F405/407 datasheet (DS8626, "Flash memory programming", 2.7–3.6 V,
    /// x32 parallelism): word programming 16 µs, sector erase 250 ms (16 KiB), 550 ms (64 KiB), 1 s (128 KiB), mass
    /// erase 8 s.
    /// </para>
    /// <para>
    /// The bwPollTimeout the ROM reports is not documented by ST; this profile reports what a real F4 ROM does in the
    /// fwupd#2696 log: 104 ms after a 2 KiB block and after Set Address Pointer, 100 ms after an erase. A write is
    /// busy for 8 ms and Set Address for no time, far less than reported; erases outlast it (a mass erase by far). A
    /// GETSTATUS sent while the device is busy waits, NAKed, until the operation is done, and fails when the host's
    /// transfer timeout is shorter, as users of real parts report.
    /// </para>
    /// <para>
    /// The functional descriptor follows only the last alternate setting, as on the ROM; a leave request (zero-length
    /// DNLOAD after Set Address) is answered with dfuMANIFEST and the device leaves the bus; it comes back in DFU mode.
    /// Programming unerased flash reports errCHECK_ERASED.
    /// </para>
    /// </remarks>
    public static SimulatedDeviceProfile Stm32F4 { get; } = new()
    {
        Name = "stm32f4",
        VendorId = 0x0483,
        ProductId = 0xDF11,
        DeviceVersion = 0x2200,
        Manufacturer = "STMicroelectronics",
        Product = "STM32  BOOTLOADER",
        SerialNumber = "3276375B3034",

        // ST's F4 ROM reports bInterfaceProtocol 2 (DFU mode); some other ST parts report 0.
        InterfaceProtocol = 2,
        Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.WillDetach,
        DetachTimeout = 255,
        TransferSize = 2048,
        DfuVersion = SimulatedDeviceProfile.DfuSeVersion,
        FunctionalDescriptorAfterEachSetting = false,

        // ST's DFU class starts manifestation (leave) on a zero-length DNLOAD in dfuIDLE too.
        ZeroLengthDownloadInIdle = true,
        AlternateSettings =
        [
            new("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"),

            // RM0090, "Option bytes": RDP 0xAA (level 0) and USER 0xEC at 0x1FFFC000, nWRP 0x0FFF (no sector protected) at 0x1FFFC008.
            new("@Option Bytes  /0x1FFFC000/01*016 e", SimulatedMemoryKind.Register)
            {
                ReadProtectionOffset = 1,
                InitialContent = [0xEC, 0xAA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            },
            new("@OTP Memory /0x1FFF7800/01*512 e,01*016 e", SimulatedMemoryKind.Otp),
            new("@Device Feature/0xFFFF0000/01*004 e", SimulatedMemoryKind.Register),
        ],
        UnerasedWrite = SimulatedUnerasedWrite.ReportCheckErased,
        DfuSeCommands = [0x00, 0x21, 0x41, 0x92],
        Timing = StDfuTemplateTiming with
        {
            ProgramPollTimeout = 104,
            CommandPollTimeout = 104,
            ErasePollTimeout = 100,
            MassErasePollTimeout = 100,
            ProgramUnitSize = 4,
            ProgramUnitTime = TimeSpan.FromMicroseconds(16),
            SectorEraseTimes =
            [
                new(16 * 1024, TimeSpan.FromMilliseconds(250)),
                new(64 * 1024, TimeSpan.FromMilliseconds(550)),
                new(128 * 1024, TimeSpan.FromMilliseconds(1000)),
            ],
            DefaultSectorEraseTime = TimeSpan.FromMilliseconds(250),
            MassEraseTime = TimeSpan.FromSeconds(8),
            CommandTime = TimeSpan.Zero,
            ManifestTime = TimeSpan.Zero,
        },
    };

    /// <summary>
    /// The STM32L476 ROM bootloader in DFU mode (ST AN2606): 0483:DF11, bcdDevice 0x2200, DfuSe, wTransferSize 2048,
    /// 1 MiB of flash in 512 pages of 2 KiB. It STALLs a GETSTATUS sent while it is busy, one time in four, drawn with
    /// the session's seed (<see cref="SimulatedDeviceOptions.Seed"/>), as fwupd#2696 reports of ST ROMs ("DFU Device
    /// stalled an unexpected request"); the operation goes on and a later GETSTATUS answers.
    /// </summary>
    /// <remarks>
    /// Busy times are the typical figures of the STM32L476 datasheet (DS10198, "Flash memory characteristics"):
    /// double-word (64-bit) programming 81.69 µs, page erase 22 ms, mass erase 22.02 ms. Poll timeouts are the F4
    /// ROM's (104 ms write and Set Address, 100 ms erase; fwupd#2696 log).
    /// </remarks>
    public static SimulatedDeviceProfile Stm32L4 { get; } = Stm32F4 with
    {
        Name = "stm32l4",
        Product = "DFU in FS Mode",
        SerialNumber = "206A36A85748",
        AlternateSettings =
        [
            new("@Internal Flash  /0x08000000/512*0002Kg"),
        ],
        DfuSeCommands = [0x00, 0x21, 0x41, 0x92],
        EarlyPollStallChance = 0.25,
        Timing = Stm32F4.Timing with
        {
            ProgramUnitSize = 8,
            ProgramUnitTime = TimeSpan.FromMicroseconds(81.69),
            SectorEraseTimes = [],
            DefaultSectorEraseTime = TimeSpan.FromMilliseconds(22),
            MassEraseTime = TimeSpan.FromMilliseconds(22.02),
        },
    };

    /// <summary>
    /// A DfuSe-style application bootloader on an STM32F103 (128 KiB of 1 KiB pages): it keeps its own first 0x3000
    /// bytes (layout type 'a', read-only: erase and program there fail with errTARGET) and takes the application from
    /// 0x0800_3000. Ids 1209:DB42 (the pid.codes id of the open dapboot bootloader, used here as a representative).
    /// </summary>
    /// <remarks>
    /// Busy times are typical STM32F103 figures (DS5319: half-word programming 52.5 µs, page erase 20 ms). Every
    /// bwPollTimeout is 50 ms, the FLASH_ERASE_TIME / FLASH_PROGRAM_TIME of ST's DFU media template such bootloaders
    /// are built from. A mass erase erases the application area only. Programming unerased flash is silently corrupt
    /// (the template does not read back), and there is no Read Unprotect command.
    /// </remarks>
    public static SimulatedDeviceProfile Stm32F1App { get; } = new()
    {
        Name = "stm32f1-app",
        VendorId = 0x1209,
        ProductId = 0xDB42,
        DeviceVersion = 0x0100,
        Manufacturer = "DfuSharp",
        Product = "STM32F1 application bootloader",
        SerialNumber = "F1APP0000001",
        InterfaceProtocol = 2,
        Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.WillDetach,
        DetachTimeout = 255,
        TransferSize = 1024,
        DfuVersion = SimulatedDeviceProfile.DfuSeVersion,
        AlternateSettings = [new("@Internal Flash  /0x08000000/12*001Ka,116*001Kg")],
        ZeroLengthDownloadInIdle = true,
        UnerasedWrite = SimulatedUnerasedWrite.SilentlyCorrupt,
        DfuSeCommands = [0x00, 0x21, 0x41],
        Timing = StDfuTemplateTiming with
        {
            ProgramUnitSize = 2,
            ProgramUnitTime = TimeSpan.FromTicks(525),
            DefaultSectorEraseTime = TimeSpan.FromMilliseconds(20),
            MassEraseTime = TimeSpan.FromMilliseconds(20 * 116),
        },
    };

    /// <summary>
    /// A plain DFU 1.1 device in DFU mode (test ids 1209:DF11, not registered): one alternate setting "Flash", a
    /// 256 KiB firmware store that a download replaces and an upload reads back until a short frame, wTransferSize
    /// 1024, manifestation-tolerant. Vary it with <c>with</c> (Attributes, TransferSize).
    /// </summary>
    /// <remarks>It reports honest poll timeouts: 6 ms per 1 KiB block (5.1 ms busy), 100 ms for manifestation.</remarks>
    public static SimulatedDeviceProfile Dfu11 { get; } = new()
    {
        Name = "dfu11",
        VendorId = 0x1209,
        ProductId = 0xDF11,
        DeviceVersion = 0x0100,
        Manufacturer = "DfuSharp",
        Product = "DFU 1.1 test device",
        SerialNumber = "DFU11-000001",
        InterfaceProtocol = 2,
        Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.ManifestationTolerant,
        DetachTimeout = 1000,
        TransferSize = 1024,
        DfuVersion = 0x0110,
        AlternateSettings = [new("Flash")],
        FirmwareCapacity = 256 * 1024,
        Timing = new SimulatedTiming
        {
            ProgramUnitSize = 4,
            ProgramUnitTime = TimeSpan.FromMicroseconds(20),
            ManifestTime = TimeSpan.FromMilliseconds(100),
            ProgramPollTimeout = 6,
            ManifestPollTimeout = 100,
            ReenumerationTime = TimeSpan.FromMilliseconds(100),
        },
    };

    /// <summary>
    /// A device in run-time mode (bInterfaceProtocol 1, test ids 1209:DF10) that re-enumerates into DFU mode as the
    /// <see cref="Dfu11"/> device, with the same serial, on DFU_DETACH (bitWillDetach) or on a USB reset within
    /// wDetachTimeOut after DFU_DETACH (clear WillDetach with <c>with</c>). After a completed download and a reset it
    /// comes back in run-time mode.
    /// </summary>
    public static SimulatedDeviceProfile Runtime { get; } = new()
    {
        Name = "runtime",
        VendorId = 0x1209,
        ProductId = 0xDF10,
        DeviceVersion = 0x0100,
        Manufacturer = "DfuSharp",
        Product = "DFU run-time test device",
        SerialNumber = "DFU11-000001",
        InterfaceProtocol = 1,
        Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.ManifestationTolerant | DfuAttributes.WillDetach,
        DetachTimeout = 1000,
        TransferSize = 1024,
        DfuVersion = 0x0110,
        AlternateSettings = [new("DFU run-time")],
        Timing = new SimulatedTiming { ReenumerationTime = TimeSpan.FromMilliseconds(100) },
        DfuModeProfile = Dfu11 with
        {
            Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.ManifestationTolerant | DfuAttributes.WillDetach,
        },
    };

    /// <summary>
    /// An STM32F4 application that is a HID device with ST's HID detach (ids 0483:5750, ST's Custom HID demonstration
    /// ids): interface 0 is a HID interface (class 3) with no DFU interface at all. Its report descriptor holds a vendor
    /// report (id 1, 8 bytes in and out) and the DETACH report that ST gives for DfuSe's "Enter DFU mode / HID detach"
    /// (ST UM0412): usage page 0xFF00, report id 0x80, usage 0x55, one 8-bit Feature field. A SET_REPORT of that report
    /// makes the application jump to the ROM bootloader: the device re-enumerates as <see cref="Stm32F4"/>, with the
    /// same serial number and port.
    /// </summary>
    public static SimulatedDeviceProfile HidRuntime { get; } = new()
    {
        Name = "hid-runtime",
        VendorId = 0x0483,
        ProductId = 0x5750,
        DeviceVersion = 0x0200,
        Manufacturer = "STMicroelectronics",
        Product = "STM32 Custom HID",
        SerialNumber = Stm32F4.SerialNumber,
        AlternateSettings = [new("Custom HID")],
        HidReportDescriptor =
        [
            0x06, 0x00, 0xFF,       // Usage Page (vendor 0xFF00)
            0x09, 0x01,             // Usage (1)
            0xA1, 0x01,             // Collection (Application)
            0x85, 0x01,             //   Report ID (1)
            0x09, 0x02,             //   Usage (2)
            0x15, 0x00,             //   Logical Minimum (0)
            0x26, 0xFF, 0x00,       //   Logical Maximum (255)
            0x75, 0x08,             //   Report Size (8)
            0x95, 0x08,             //   Report Count (8)
            0x81, 0x02,             //   Input (Data, Var, Abs)
            0x09, 0x03,             //   Usage (3)
            0x91, 0x02,             //   Output (Data, Var, Abs)
            0xA1, 0x00,             //   Collection (Physical): ST's DETACH report, as in UM0412
            0x06, 0x00, 0xFF,       //     Usage Page (vendor 0xFF00)
            0x85, 0x80,             //     Report ID (0x80)
            0x09, 0x55,             //     Usage (0x55, DETACH)
            0x15, 0x00,             //     Logical Minimum (0)
            0x26, 0xFF, 0x00,       //     Logical Maximum (255)
            0x75, 0x08,             //     Report Size (8)
            0x95, 0x01,             //     Report Count (1)
            0xB1, 0x82,             //     Feature (Data, Var, Abs, Volatile)
            0xC0,                   //   End Collection
            0xC0,                   // End Collection
        ],
        HidDetachReport = new SimulatedHidReport(Type: 0x03, Id: 0x80, Length: 1),
        Timing = new SimulatedTiming { ReenumerationTime = TimeSpan.FromMilliseconds(200) },
        DfuModeProfile = Stm32F4,
    };

    private static readonly ImmutableArray<SimulatedDeviceProfile> s_all = [Stm32F4, Stm32L4, Stm32F1App, Dfu11, Runtime, HidRuntime];

    /// <summary>Gets the names of the stock profiles.</summary>
    public static ImmutableArray<string> Names { get; } = [.. s_all.Select(p => p.Name)];

    /// <summary>Returns a stock profile by name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a stock profile.</exception>
    public static SimulatedDeviceProfile Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return s_all.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown simulated profile \"{name}\"; known: {string.Join(", ", Names)}.", nameof(name));
    }
}
