using System.Globalization;
using DfuSharp.Usb;

namespace DfuSharp;

/// <summary>
/// Which device and which DFU alternate setting to use. Every field that is set must match; an empty selector matches
/// every DFU interface.
/// </summary>
public sealed record DfuDeviceSelector
{
    /// <summary>Gets idVendor to match.</summary>
    public ushort? VendorId { get; init; }

    /// <summary>Gets idProduct to match.</summary>
    public ushort? ProductId { get; init; }

    /// <summary>Gets the serial number to match (ordinal).</summary>
    public string? SerialNumber { get; init; }

    /// <summary>Gets the port path to match (<see cref="UsbDeviceInfo.PortPath"/>).</summary>
    public string? PortPath { get; init; }

    /// <summary>Gets bInterfaceNumber to match.</summary>
    public byte? InterfaceNumber { get; init; }

    /// <summary>Gets bAlternateSetting to match.</summary>
    public byte? AlternateSetting { get; init; }

    /// <summary>Gets the alternate setting's name to match: the whole interface string, or a DfuSe layout's memory name (ordinal, ignoring case).</summary>
    public string? AlternateName { get; init; }

    /// <summary>Parses <c>VID:PID</c> (hexadecimal, either side may be empty or <c>*</c>), optionally followed by
    /// <c>,serial=S</c>, <c>,path=P</c>, <c>,alt=N|NAME</c>, <c>,intf=N</c>; or any of the <c>key=value</c> parts alone.</summary>
    /// <param name="text">The selector text.</param>
    /// <returns>The selector.</returns>
    /// <exception cref="FormatException">The text is not a selector.</exception>
    public static DfuDeviceSelector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var selector = new DfuDeviceSelector();
        foreach (string raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                int colon = raw.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    throw new FormatException($"\"{raw}\" is not VID:PID or key=value.");
                }

                selector = selector with { VendorId = ParseHex(raw[..colon]), ProductId = ParseHex(raw[(colon + 1)..]) };
                continue;
            }

            string key = raw[..eq].Trim().ToLowerInvariant();
            string value = raw[(eq + 1)..].Trim();
            selector = key switch
            {
                "serial" => selector with { SerialNumber = value },
                "path" => selector with { PortPath = value },
                "intf" or "interface" => selector with { InterfaceNumber = ParseByte(value) },
                "alt" => byte.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out byte alt)
                    ? selector with { AlternateSetting = alt }
                    : selector with { AlternateName = value },
                _ => throw new FormatException($"Unknown selector key \"{key}\"; expected serial, path, intf or alt."),
            };
        }

        return selector;
    }

    /// <summary>Tells whether a device's identity matches (ignores interface and alternate setting fields).</summary>
    /// <param name="device">The device.</param>
    /// <returns><see langword="true"/> when every identity field that is set matches.</returns>
    public bool MatchesDevice(UsbDeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return (VendorId is null || VendorId == device.VendorId)
               && (ProductId is null || ProductId == device.ProductId)
               && (SerialNumber is null || string.Equals(SerialNumber, device.SerialNumber, StringComparison.Ordinal))
               && (PortPath is null || string.Equals(PortPath, device.PortPath, StringComparison.Ordinal));
    }

    /// <summary>Tells whether a DFU alternate setting matches the interface and alternate setting fields.</summary>
    /// <param name="dfuInterface">The setting.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public bool MatchesInterface(DfuInterfaceInfo dfuInterface)
    {
        ArgumentNullException.ThrowIfNull(dfuInterface);
        return (InterfaceNumber is null || InterfaceNumber == dfuInterface.InterfaceNumber)
               && (AlternateSetting is null || AlternateSetting == dfuInterface.Setting.Number)
               && (AlternateName is null || NameMatches(AlternateName, dfuInterface.Setting.Name));
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>();
        if (VendorId is not null || ProductId is not null)
        {
            parts.Add($"{(VendorId is { } v ? v.ToString("x4", CultureInfo.InvariantCulture) : "*")}:{(ProductId is { } p ? p.ToString("x4", CultureInfo.InvariantCulture) : "*")}");
        }

        if (SerialNumber is not null)
        {
            parts.Add($"serial={SerialNumber}");
        }

        if (PortPath is not null)
        {
            parts.Add($"path={PortPath}");
        }

        if (InterfaceNumber is not null)
        {
            parts.Add($"intf={InterfaceNumber}");
        }

        if (AlternateSetting is not null)
        {
            parts.Add($"alt={AlternateSetting}");
        }

        if (AlternateName is not null)
        {
            parts.Add($"alt={AlternateName}");
        }

        return parts.Count == 0 ? "any DFU device" : string.Join(',', parts);
    }

    internal static bool NameMatches(string wanted, string? name)
    {
        if (name is null)
        {
            return false;
        }

        if (string.Equals(wanted.Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return DfuSe.DfuSeMemoryLayout.TryParse(name, out var layout)
               && string.Equals(wanted.Trim(), layout.Name, StringComparison.OrdinalIgnoreCase);
    }

    private static ushort? ParseHex(string text)
    {
        text = text.Trim();
        if (text.Length == 0 || text == "*")
        {
            return null;
        }

        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        return ushort.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort value)
            ? value
            : throw new FormatException($"\"{text}\" is not a hexadecimal USB id.");
    }

    private static byte ParseByte(string text)
        => byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out byte value)
            ? value
            : throw new FormatException($"\"{text}\" is not a number from 0 to 255.");
}
