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
        FullSpeedBusTime = true,
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

            // DS8626 maxima at x32: word programming 100 µs, sector and mass erase twice the typical time.
            ProgramTimeMaxRatio = 100.0 / 16,
            EraseTimeMaxRatio = 2,
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
    /// <see cref="Stm32F1App"/> with honest poll timeouts: it reports exactly the time it needs, 27 ms after a 1 KiB
    /// block (512 half-words at 52.5 µs, DS5319 typical) and 20 ms after a page erase, so a host that obeys
    /// bwPollTimeout loses nothing. (<see cref="Stm32F1App"/> itself over-reports: the 50 ms of ST's DFU template for
    /// everything.)
    /// </summary>
    public static SimulatedDeviceProfile Stm32F1AppHonest { get; } = Stm32F1App with
    {
        Name = "stm32f1-app-honest",
        SerialNumber = "F1APP0000002",
        Timing = Stm32F1App.Timing with
        {
            ProgramPollTimeout = 27,
            ErasePollTimeout = 20,
            MassErasePollTimeout = 20 * 116,
            CommandPollTimeout = 0,
        },
    };

    /// <summary>
    /// <see cref="Stm32F1App"/> with dishonest poll timeouts that are too short: it reports 5 ms after a block and an
    /// erase while it is busy 27 ms and 20 ms, and it does not hold an early GETSTATUS: it answers dfuDNBUSY with the
    /// same 5 ms again until it is done (<see cref="SimulatedDeviceProfile.HoldsStatusWhileBusy"/> clear). Application
    /// bootloaders built from ST's DFU template with a shortened FLASH_PROGRAM_TIME behave so (ST usbd_dfu_flash.c: the
    /// value is a define the application sets); a host must keep asking, and never take dfuDNBUSY for done.
    /// </summary>
    public static SimulatedDeviceProfile Stm32F1AppDishonest { get; } = Stm32F1App with
    {
        Name = "stm32f1-app-dishonest",
        SerialNumber = "F1APP0000003",
        HoldsStatusWhileBusy = false,
        Timing = Stm32F1App.Timing with
        {
            ProgramPollTimeout = 5,
            ErasePollTimeout = 5,
            MassErasePollTimeout = 5,
            CommandPollTimeout = 5,
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
            FullSpeedBusTime = true,
        },
    };


    /// <summary>
    /// <see cref="Dfu11"/> with a dishonest poll timeout: it reports 1 ms after a 1 KiB block while it is busy 5.12 ms,
    /// and answers a GETSTATUS that comes before it is done at once with dfuDNBUSY and 1 ms again instead of holding it
    /// (<see cref="SimulatedDeviceProfile.HoldsStatusWhileBusy"/> clear), as DFU 1.1 §6.1.2 allows a device that is
    /// still busy. Manifestation reports 10 ms and takes 100 ms. (<see cref="Dfu11"/> itself is the honest variant:
    /// 6 ms reported, 5.12 ms busy.) A host must keep polling and never lose or repeat a block.
    /// </summary>
    public static SimulatedDeviceProfile Dfu11Dishonest { get; } = Dfu11 with
    {
        Name = "dfu11-dishonest",
        SerialNumber = "DFU11-000002",
        HoldsStatusWhileBusy = false,
        Timing = Dfu11.Timing with
        {
            ProgramPollTimeout = 1,
            ManifestPollTimeout = 10,
        },
    };

    /// <summary>
    /// The STM32F207 ROM bootloader in DFU mode, the part the DfuSe demonstrator and the CodeProject article were tried
    /// on (ST AN2606 "STM32F20xxx/21xxx devices bootloader"): 0483:DF11, DfuSe, wTransferSize 2048, 1 MiB of flash in
    /// 4×16 KiB, 1×64 KiB and 7×128 KiB sectors (RM0033 "Flash module organization"), option bytes at 0x1FFFC000 and
    /// 528 bytes of OTP at 0x1FFF7800 (RM0033).
    /// </summary>
    /// <remarks>
    /// Busy times are the typical figures of the STM32F205/207 datasheet (DS6329, "Flash memory programming", x32
    /// parallelism): word programming 16 µs (max 100 µs), sector erase 250 ms / 550 ms / 1 s for 16 / 64 / 128 KiB and
    /// mass erase 8 s (max twice these). ST does not document the ROM's bwPollTimeout; the F2 ROM shares the F4 ROM's
    /// DFU code (AN2606 lists both with the same DFU interface), so it reports the F4 ROM's 104 / 100 ms (fwupd#2696
    /// log) and holds an early GETSTATUS.
    /// </remarks>
    public static SimulatedDeviceProfile Stm32F2 { get; } = Stm32F4 with
    {
        Name = "stm32f2",
        SerialNumber = "206B34823543",
        AlternateSettings =
        [
            new("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"),
            new("@Option Bytes  /0x1FFFC000/01*016 e", SimulatedMemoryKind.Register)
            {
                ReadProtectionOffset = 1,
                InitialContent = [0xEC, 0xAA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            },
            new("@OTP Memory /0x1FFF7800/01*512 e,01*016 e", SimulatedMemoryKind.Otp),
        ],
    };

    /// <summary>
    /// The STM32F072 ROM bootloader in DFU mode (ST AN2606 "STM32F07xxx devices bootloader"; the "Download failing"
    /// part in the CodeProject article's comments): 0483:DF11, DfuSe, wTransferSize 2048, 128 KiB of flash in 64 pages
    /// of 2 KiB (RM0091 "Flash memory organization"), option bytes at 0x1FFFF800 (RM0091 "Option bytes").
    /// </summary>
    /// <remarks>
    /// <para>
    /// Busy times are the typical figures of the STM32F072x8/xB datasheet (DS9826, "Flash memory characteristics"):
    /// half-word programming 53.5 µs (max 60), page erase 20 ms (max 40), mass erase 20 ms (max 40). Poll timeouts are
    /// the F4 ROM's (fwupd#2696 log; ST does not document them).
    /// </para>
    /// <para>
    /// Its known quirk: a GETSTATUS sent before the poll timeout has passed may end in a pipe error (libusb reports a
    /// STALL as LIBUSB_ERROR_PIPE): openmv/openmv#1508 shows pydfu, which polls at once after a page erase, dying with
    /// "Pipe error" on an F072 that dfu-util (which waits bwPollTimeout first) programs without error; the CodeProject
    /// article's comments report "Download failing" on the same part. The profile STALLs a GETSTATUS sent
    /// while busy one time in ten, seeded, and the operation goes on. The ROM's option bytes reload on a write, which
    /// resets the part (RM0091 "Option byte loading"), so this profile lists no device-feature area.
    /// </para>
    /// </remarks>
    public static SimulatedDeviceProfile Stm32F072 { get; } = Stm32F4 with
    {
        Name = "stm32f072",
        SerialNumber = "FFFFFFFEFFFF",
        AlternateSettings =
        [
            new("@Internal Flash  /0x08000000/064*0002Kg"),

            // RM0091 "Option bytes": RDP 0xAA / nRDP 0x55, USER 0xFF / nUSER 0x00 at 0x1FFFF800.
            new("@Option Bytes  /0x1FFFF800/01*016 e", SimulatedMemoryKind.Register)
            {
                ReadProtectionOffset = 0,
                InitialContent = [0xAA, 0x55, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00],
            },
        ],
        EarlyPollStallChance = 0.1,
        Timing = Stm32F4.Timing with
        {
            ProgramUnitSize = 2,
            ProgramUnitTime = TimeSpan.FromMicroseconds(53.5),
            SectorEraseTimes = [],
            DefaultSectorEraseTime = TimeSpan.FromMilliseconds(20),
            MassEraseTime = TimeSpan.FromMilliseconds(20),
            ProgramTimeMaxRatio = 60 / 53.5,
            EraseTimeMaxRatio = 2,
        },
    };

    /// <summary>
    /// The STM32F373 ROM bootloader in DFU mode (ST AN2606 "STM32F37xxx devices bootloader"): 0483:DF11, DfuSe,
    /// wTransferSize 2048, 256 KiB of flash in 128 pages of 2 KiB (RM0313 "Flash memory organization"), option bytes at
    /// 0x1FFFF800 (RM0313 "Option bytes").
    /// </summary>
    /// <remarks>
    /// Busy times are the typical figures of the STM32F373xx datasheet (DS8041, "Flash memory characteristics"):
    /// half-word programming 53.5 µs (max 60), page erase 20 ms (max 40), mass erase 20 ms (max 40). Poll timeouts are
    /// the F4 ROM's (fwupd#2696 log; ST does not document them); it holds an early GETSTATUS.
    /// </remarks>
    public static SimulatedDeviceProfile Stm32F373 { get; } = Stm32F072 with
    {
        Name = "stm32f373",
        SerialNumber = "FFFFFFFEFFFE",
        AlternateSettings =
        [
            new("@Internal Flash  /0x08000000/128*0002Kg"),
            new("@Option Bytes  /0x1FFFF800/01*016 e", SimulatedMemoryKind.Register)
            {
                ReadProtectionOffset = 0,
                InitialContent = [0xAA, 0x55, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00],
            },
        ],
        EarlyPollStallChance = 0,
    };

    /// <summary>
    /// The STM32H743 ROM bootloader in DFU mode (ST AN2606 "STM32H74xxx/75xxx devices bootloader"): 0483:DF11,
    /// bcdDevice 0x0200, DfuSe, wTransferSize 1024, 2 MiB of flash as two banks of 1 MiB, each of eight 128 KiB sectors
    /// (RM0433 "Flash memory organization"), listed as one run of sixteen sectors.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Busy times are the typical figures of the STM32H743xI datasheet (DS12110, "Flash memory programming", x32
    /// parallelism): programming one 256-bit flash word 130 µs (max 260), sector erase 1.1 s (max 2.2), bank erase 6 s
    /// (max 12). Poll timeouts are the F4 ROM's (fwupd#2696 log; ST does not document them).
    /// </para>
    /// <para>
    /// The ROM models STM32H743 Rev.V: a sector erase in bank 2 (sectors 8–15, at 1 MiB and above) erases the sector
    /// but leaves the ROM stuck in dfuDNBUSY past its bwPollTimeout; the first DFU_CLRSTATUS puts it in dfuERROR with
    /// errUNKNOWN, the second in dfuIDLE (betaflight-configurator PRs #1861 and #5348, the ST community thread "Weird
    /// STM32H743ZI Rev.V USB DFU erase behavior beyond 1MB (sector 8)"; <see cref="SimulatedDeviceProfile.StuckEraseFrom"/>).
    /// </para>
    /// </remarks>
    public static SimulatedDeviceProfile Stm32H7 { get; } = Stm32F4 with
    {
        Name = "stm32h7",
        DeviceVersion = 0x0200,
        SerialNumber = "2087396B5030",
        TransferSize = 1024,
        AlternateSettings =
        [
            new("@Internal Flash   /0x08000000/16*128Kg"),
        ],
        StuckEraseFrom = 0x0810_0000,
        Timing = Stm32F4.Timing with
        {
            ProgramUnitSize = 32,
            ProgramUnitTime = TimeSpan.FromMicroseconds(130),
            SectorEraseTimes = [],
            DefaultSectorEraseTime = TimeSpan.FromMilliseconds(1100),
            MassEraseTime = TimeSpan.FromSeconds(6),
            ProgramTimeMaxRatio = 2,
            EraseTimeMaxRatio = 2,
        },
    };

    /// <summary>
    /// The GigaDevice GD32VF103 ROM bootloader in DFU mode (28e9:0189, the ids in dfu-util's quirks.h): DfuSe,
    /// wTransferSize 2048, 128 KiB of flash in 1 KiB pages (GD32VF103 user manual, "Flash memory controller"), with the
    /// layout string ending in '/' (dfu-util quirks.h QUIRK_DFUSE_LAYOUT).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Its serial number string descriptor holds UTF-8 bytes instead of UTF-16LE (dfu-util quirks.h QUIRK_UTF8_SERIAL;
    /// <see cref="SimulatedDeviceProfile.Utf8SerialString"/>). On leave it jumps to the application on the zero-length
    /// DNLOAD and leaves the bus without answering the final GETSTATUS (dfu-util users report "Error during download
    /// get_status" on GD32 parts while the application starts; <see cref="SimulatedDeviceProfile.LeavesWithoutFinalStatus"/>).
    /// </para>
    /// <para>
    /// Busy times follow the order of magnitude of the GD32VF103 datasheet's "Flash memory characteristics" (32-bit word
    /// programming in tens of µs, 1 KiB page erase in tens of ms, mass erase in seconds); the model's values are 37.5 µs,
    /// 45 ms and 4.8 s and are not verified against one datasheet revision. The ROM's bwPollTimeout is not documented,
    /// so it reports the 50 ms of ST's DFU template, whose request handling GigaDevice's DFU code follows, and holds an
    /// early GETSTATUS.
    /// </para>
    /// </remarks>
    public static SimulatedDeviceProfile Gd32 { get; } = new()
    {
        Name = "gd32",
        VendorId = 0x28E9,
        ProductId = 0x0189,
        DeviceVersion = 0x1000,
        Manufacturer = "GigaDevice",
        Product = "GD32 DFU Bootloader",
        SerialNumber = "3CBJ",
        InterfaceProtocol = 2,
        Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.WillDetach,
        DetachTimeout = 255,
        TransferSize = 2048,
        DfuVersion = SimulatedDeviceProfile.DfuSeVersion,
        FunctionalDescriptorAfterEachSetting = false,
        ZeroLengthDownloadInIdle = true,
        AlternateSettings = [new("@Internal Flash  /0x08000000/128*001Kg/")],
        UnerasedWrite = SimulatedUnerasedWrite.SilentlyCorrupt,
        DfuSeCommands = [0x00, 0x21, 0x41],
        Utf8SerialString = true,
        LeavesWithoutFinalStatus = true,
        Timing = StDfuTemplateTiming with
        {
            ProgramUnitSize = 4,
            ProgramUnitTime = TimeSpan.FromMicroseconds(37.5),
            DefaultSectorEraseTime = TimeSpan.FromMilliseconds(45),
            MassEraseTime = TimeSpan.FromMilliseconds(4800),
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

    private static readonly ImmutableArray<SimulatedDeviceProfile> s_all = [
        Stm32F4, Stm32L4, Stm32F1App, Dfu11, Runtime, HidRuntime,
        Stm32F2, Stm32F072, Stm32F373, Stm32H7, Gd32, Stm32F1AppHonest, Stm32F1AppDishonest, Dfu11Dishonest,
    ];

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
