using System.Collections.Immutable;
using DfuSharp.DfuSe;
using DfuSharp.Usb;

namespace DfuSharp.Planning;

/// <summary>
/// What the planner knows of a device: its identity, its DFU functional descriptor and its alternate settings. A value:
/// <see cref="DfuDevice.Target"/> describes an open device, and a test can describe one without a transport.
/// </summary>
public sealed record DfuTargetDevice
{
    /// <summary>Gets idVendor.</summary>
    public required ushort VendorId { get; init; }

    /// <summary>Gets idProduct.</summary>
    public required ushort ProductId { get; init; }

    /// <summary>Gets bcdDevice.</summary>
    public ushort DeviceVersion { get; init; }

    /// <summary>Gets a name for messages.</summary>
    public string DisplayName { get; init; } = "the device";

    /// <summary>Gets the DFU functional descriptor.</summary>
    public required DfuFunctionalDescriptor Descriptor { get; init; }

    /// <summary>Gets the alternate settings of the DFU interface.</summary>
    public ImmutableArray<UsbAlternateSettingInfo> AlternateSettings { get; init; } = [];

    /// <summary>Gets the alternate setting selected now.</summary>
    public byte AlternateSetting { get; init; }

    /// <summary>Gets the block size to use; wTransferSize when <see langword="null"/>.</summary>
    public int? TransferSize { get; init; }

    /// <summary>Gets whether the device is in run-time or DFU mode.</summary>
    public DfuMode Mode { get; init; } = DfuMode.Dfu;

    /// <summary>Gets a value indicating whether the device speaks ST DfuSe.</summary>
    public bool IsDfuSe => Descriptor.IsDfuSe;

    /// <summary>Gets the block size used.</summary>
    public int BlockSize => TransferSize ?? Descriptor.TransferSize;

    /// <summary>Returns the DfuSe memory layout of an alternate setting.</summary>
    /// <param name="alternateSetting">The setting.</param>
    /// <returns>The layout, or <see langword="null"/> when the setting's name is not a layout.</returns>
    /// <exception cref="DfuProtocolException">The setting's name starts with '@' but is malformed.</exception>
    public DfuSeMemoryLayout? GetLayout(byte alternateSetting)
    {
        string? name = Setting(alternateSetting)?.Name;
        if (name is null || !name.StartsWith('@'))
        {
            return null;
        }

        try
        {
            return DfuSeMemoryLayout.Parse(name);
        }
        catch (FormatException ex)
        {
            throw new DfuProtocolException($"Alternate setting {alternateSetting} has a malformed DfuSe memory layout: {ex.Message}", ex);
        }
    }

    /// <summary>Returns an alternate setting by number.</summary>
    /// <param name="alternateSetting">The setting's number.</param>
    /// <returns>The setting, or <see langword="null"/>.</returns>
    public UsbAlternateSettingInfo? Setting(byte alternateSetting)
        => AlternateSettings.FirstOrDefault(a => a.Number == alternateSetting);

    /// <summary>Lists the alternate settings for a message: "0 \"@Internal Flash …\", 1 …".</summary>
    /// <returns>The list.</returns>
    public string DescribeAlternateSettings()
        => AlternateSettings.IsEmpty ? "none" : string.Join(", ", AlternateSettings.Select(a => $"{a.Number} \"{a.Name}\""));
}
