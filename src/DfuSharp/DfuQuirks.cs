using System.Collections.Immutable;

namespace DfuSharp;

/// <summary>Ways a known device departs from DFU 1.1 or ST's DfuSe, each handled by DfuSharp when the device is in <see cref="DfuQuirks"/>.</summary>
[Flags]
public enum DfuQuirk
{
    /// <summary>No quirk.</summary>
    None = 0,

    /// <summary>The device reports a short bwPollTimeout for a mass erase that takes tens of seconds, and holds the
    /// next DFU_GETSTATUS until the erase is done: that GETSTATUS gets the slow request timeout.</summary>
    MassEraseOutlastsPollTimeout = 1 << 0,

    /// <summary>The device may start a session in dfuERROR with errFIRMWARE (no valid application); DFU_CLRSTATUS
    /// brings it to dfuIDLE.</summary>
    StartsInDfuError = 1 << 1,

    /// <summary>The DFU-mode interface reports bInterfaceProtocol 0 (DFU 1.1 §4.2.3 says 2); it is in DFU mode.</summary>
    DfuModeProtocolZero = 1 << 2,

    /// <summary>String descriptors hold UTF-8 bytes instead of UTF-16LE (USB 2.0 §9.6.7).</summary>
    Utf8Strings = 1 << 3,

    /// <summary>The DfuSe memory layout string ends with a '/' after the last sector list (ST UM0424 has none).</summary>
    LayoutTrailingSlash = 1 << 4,

    /// <summary>The device holds (NAKs) a DFU_GETSTATUS sent while it is busy and answers it when the operation ends, so
    /// the host need not sleep the bwPollTimeout it reports (<see cref="Planning.DfuPacing.Hold"/>).</summary>
    HoldsStatusWhileBusy = 1 << 5,

    /// <summary>The DfuSe device computes each block's address as pointer + (wBlockNum − 2) × wTransferSize (ST AN3156
    /// §6.3.6), so one Set Address Pointer serves a run of full-size blocks: the planner chooses
    /// <see cref="Planning.DfuAddressing.AddressOnce"/> unless told otherwise.</summary>
    AddressFromBlockNumber = 1 << 6,

    /// <summary>A DfuSe sector erase beyond the first 1 MiB (STM32H743 Rev.V ROM: sectors 8–15, bank 2, 0x08100000 and
    /// above) is done after its busy time, but the device stays in dfuDNBUSY past the bwPollTimeout it reported and never
    /// settles by itself. Once an erase is still reported busy past that time, the session sends DFU_CLRSTATUS (the
    /// device then reports dfuERROR with errUNKNOWN), then DFU_CLRSTATUS again (dfuIDLE with OK), as STM32CubeProgrammer
    /// does, and treats the erase as finished; the next command starts from dfuIDLE. DFU 1.1 allows DFU_CLRSTATUS only
    /// in dfuERROR and spec-correct ROMs STALL it elsewhere, so only this quirk sends it outside dfuERROR. Sources:
    /// betaflight-configurator PR #1861 "Workaround for H7 Rev.V weirdness on erase beyond 1MB" (2020), quoting the ST
    /// community thread "Weird STM32H743ZI Rev.V USB DFU erase behavior beyond 1MB (sector 8)"; betaflight-configurator
    /// PR #5348 (2026) "unstick H7 bootloaders wedged in dfuDNBUSY during erase".</summary>
    StuckBusyNeedsTwoClearStatus = 1 << 7,
}

/// <summary>One entry of <see cref="DfuQuirks.Entries"/>.</summary>
/// <param name="VendorId">idVendor.</param>
/// <param name="ProductId">idProduct.</param>
/// <param name="DeviceVersion">bcdDevice, where the quirk depends on it; any when <see langword="null"/>.</param>
/// <param name="Quirks">The quirks.</param>
/// <param name="Device">What the device is.</param>
/// <param name="Source">Where the behaviour is documented or observed.</param>
public sealed record DfuQuirkEntry(ushort VendorId, ushort ProductId, ushort? DeviceVersion, DfuQuirk Quirks, string Device, string Source);

/// <summary>
/// The device quirks DfuSharp knows, as data keyed by VID/PID (and bcdDevice where it matters), as fwupd's
/// <c>dfu.quirk</c> and dfu-util's <c>quirks.c</c> keep them. Each entry cites its source; each quirk applied is logged
/// at Warning level with its own event id.
/// </summary>
public static class DfuQuirks
{
    /// <summary>Gets the table.</summary>
    public static ImmutableArray<DfuQuirkEntry> Entries { get; } =
    [
        // STM32F405/407 ROM, bcdDevice 0x2200: a mass erase of 1 MiB takes up to 32 s (DS8626 "Flash memory
        // programming", tME), while the ROM reports 100 ms and holds GETSTATUS until done. It reports ~100 ms for a
        // sector erase and 104 ms for a 2 KiB write or Set Address, and answers a GETSTATUS sent earlier once the
        // operation ends (fwupd#2696 log; dfu-util commits 4faf703, d0ecfe7).
        new(0x0483, 0xDF11, 0x2200, DfuQuirk.MassEraseOutlastsPollTimeout | DfuQuirk.HoldsStatusWhileBusy,
            "STM32F405/407 system bootloader",
            "ST DS8626 tME (mass erase up to 32 s); ST AN3156 §6.3.3; fwupd#2696 log (GETSTATUS held while busy)"),

        // ST ROMs without a valid application start in dfuERROR/errFIRMWARE: dfu-util's
        // device-logs/stm32f4discovery.bin-download shows "DFU state(10) = dfuERROR, status(10) = errFIRMWARE" first.
        // ST AN3156 §6.3.6: the ROM writes block N at pointer + (N − 2) × wTransferSize.
        new(0x0483, 0xDF11, null, DfuQuirk.StartsInDfuError | DfuQuirk.DfuModeProtocolZero | DfuQuirk.AddressFromBlockNumber,
            "STMicroelectronics system bootloader (DfuSe)",
            "dfu-util device-logs/stm32f4discovery.bin-download (dfuERROR/errFIRMWARE at start); ST AN3156 §2 (DfuSe 1.1a, bInterfaceProtocol 0 on early ROMs), §6.3.6 (block addressing)"),

        // STM32H743 Rev.V ROM, bcdDevice 0x0200: a sector erase beyond 1 MiB (sectors 8–15, bank 2, RM0433 "Flash
        // memory organization") stays in dfuDNBUSY until CLRSTATUS (→ dfuERROR/errUNKNOWN) and CLRSTATUS (→ dfuIDLE).
        new(0x0483, 0xDF11, 0x0200, DfuQuirk.StuckBusyNeedsTwoClearStatus,
            "STM32H743/753 system bootloader",
            "betaflight-configurator PR #1861 (H7 Rev.V erase beyond 1MB; ST community thread \"Weird STM32H743ZI Rev.V USB DFU erase behavior beyond 1MB (sector 8)\"); betaflight-configurator PR #5348 (unstick H7 bootloaders wedged in dfuDNBUSY during erase); ST RM0433 (two 1 MiB banks)"),

        // GigaDevice GD32VF103 ROM: dfu-util quirks.h QUIRK_UTF8_SERIAL and QUIRK_DFUSE_LAYOUT for 28e9:0189.
        new(0x28E9, 0x0189, null, DfuQuirk.Utf8Strings | DfuQuirk.LayoutTrailingSlash,
            "GigaDevice GD32VF103 system bootloader", "dfu-util src/quirks.h (VENDOR_GIGADEVICE, PRODUCT_GD32: QUIRK_UTF8_SERIAL, QUIRK_DFUSE_LAYOUT)"),
    ];

    /// <summary>Returns the quirks of a device.</summary>
    /// <param name="vendorId">idVendor.</param>
    /// <param name="productId">idProduct.</param>
    /// <param name="deviceVersion">bcdDevice.</param>
    /// <returns>The quirks of every matching entry; <see cref="DfuQuirk.None"/> when none matches.</returns>
    public static DfuQuirk For(ushort vendorId, ushort productId, ushort deviceVersion)
        => Entries.Where(e => e.VendorId == vendorId && e.ProductId == productId && (e.DeviceVersion is null || e.DeviceVersion == deviceVersion))
            .Aggregate(DfuQuirk.None, (all, e) => all | e.Quirks);
}
