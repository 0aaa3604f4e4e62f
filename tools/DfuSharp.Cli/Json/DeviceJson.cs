using DfuSharp.DfuSe;
using DfuSharp.Planning;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Json;

/// <summary>A device's identity, as every device command reports it.</summary>
internal sealed record DeviceJson(
    int VendorId, int ProductId, int DeviceVersion, string? Manufacturer, string? Product, string? SerialNumber,
    int Bus, int Address, string Path, string Mode)
{
    public static DeviceJson From(UsbDeviceInfo info, DfuMode mode)
        => new(info.VendorId, info.ProductId, info.DeviceVersion, info.Manufacturer, info.Product, info.SerialNumber,
            info.BusNumber, info.DeviceAddress, info.PortPath, ModeName(mode));

    public static string ModeName(DfuMode mode) => mode switch
    {
        DfuMode.Runtime => "runtime",
        DfuMode.Dfu => "dfu",
        _ => "none",
    };
}

/// <summary>A DFU alternate setting.</summary>
internal sealed record AlternateSettingJson(int Configuration, int Interface, int AlternateSetting, string? Name, string Mode, LayoutJson? Layout);

/// <summary>A device and its DFU alternate settings (<c>list --json</c>).</summary>
internal sealed record ListedDeviceJson(DeviceJson Device, IReadOnlyList<AlternateSettingJson> AlternateSettings);

/// <summary>The <c>list --json</c> object.</summary>
internal sealed record ListJson(IReadOnlyList<ListedDeviceJson> Devices);

/// <summary>A DfuSe memory layout (ST AN3156 alternate-setting string).</summary>
internal sealed record LayoutJson(string Name, IReadOnlyList<RegionJson> Regions)
{
    public static LayoutJson From(DfuSeMemoryLayout layout)
        => new(layout.Name, [.. layout.Regions.Select(r => new RegionJson(r.Address, r.Length,
            [.. r.Groups.Select(g => new SectorGroupJson(g.Count, g.Size,
                (g.Access & DfuSeSectorAccess.Readable) != 0, (g.Access & DfuSeSectorAccess.Erasable) != 0, (g.Access & DfuSeSectorAccess.Writable) != 0))]))]);
}

/// <summary>A region of a layout.</summary>
internal sealed record RegionJson(uint Address, ulong Length, IReadOnlyList<SectorGroupJson> Sectors);

/// <summary>A run of equal sectors.</summary>
internal sealed record SectorGroupJson(int Count, uint Size, bool Readable, bool Erasable, bool Writable);

/// <summary>The DFU functional descriptor (DFU 1.1 §4.1.3).</summary>
internal sealed record DescriptorJson(
    bool CanDownload, bool CanUpload, bool ManifestationTolerant, bool WillDetach, int DetachTimeout, int TransferSize, int DfuVersion, bool DfuSe);

/// <summary>The <c>info --json</c> object. A HID application (ST's HID detach) has no DFU functional descriptor: it has
/// <see cref="HidDetach"/> instead of <see cref="Descriptor"/>, and no alternate settings.</summary>
internal sealed record InfoJson(
    DeviceJson Device, DescriptorJson? Descriptor, int Interface, int AlternateSetting, IReadOnlyList<AlternateSettingJson> AlternateSettings,
    string? State, string? Status, IReadOnlyList<string>? DfuSeCommands, HidDetachJson? HidDetach);

/// <summary>The DETACH report of a HID application (usage 0x55 of the vendor usage page 0xFF00).</summary>
internal sealed record HidDetachJson(int ReportId, string Type, int Length);

/// <summary>The <c>download --json</c> object; with <c>--dry-run</c> it carries the plan and nothing was sent.</summary>
internal sealed record DownloadJson(
    string Command, string File, DeviceJson Device, bool DryRun, long WrittenBytes, int ErasedSectors, bool Verified,
    string? Outcome, string? Backup, double ElapsedSeconds, TransferPlan? Plan, IReadOnlyList<string> Warnings,
    string Pacing, string Addressing, long ControlTransfers, double? DeviceMinimumSeconds)
{
    /// <summary>Gets the sectors <c>--skip-unchanged</c> found already holding their new content and left alone.</summary>
    public int KeptSectors { get; init; }
}

/// <summary>The <c>upload --json</c> object.</summary>
internal sealed record UploadJson(
    string Command, string File, DeviceJson Device, int AlternateSetting, uint? Address, long Length, long? RequestedLength, string Sha256,
    double ElapsedSeconds, IReadOnlyList<string> Warnings);

/// <summary>The <c>erase --json</c> object.</summary>
internal sealed record EraseJson(string Command, DeviceJson Device, int AlternateSetting, bool Mass, uint? Address, long? Length, int ErasedSectors, double ElapsedSeconds);

/// <summary>The <c>detach --json</c> and <c>unprotect --json</c> object.</summary>
internal sealed record DeviceActionJson(string Command, DeviceJson Device, string Outcome, double ElapsedSeconds);
