using System.Globalization;
using DfuSharp.Usb;

namespace DfuSharp;

/// <summary>
/// Which device and which DFU alternate setting to use, the dfu-util way: <c>VID:PID[,VID:PID]</c> (a run-time and a
/// DFU-mode pair, <c>*</c> for any), serial number, port path, interface and alternate setting by number or name. Every
/// field that is set must match; an empty selector matches every DFU interface.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="VendorId"/> and <see cref="ProductId"/> are the run-time pair: they match a device in run-time mode, and a
/// device in DFU mode too unless a DFU-mode pair (<see cref="DfuVendorId"/>, <see cref="DfuProductId"/>) is given. After
/// a detach the same board is followed by its port path (and serial), whatever ids it comes back with, and it must then
/// match the DFU-mode pair if one is given: dfu-util instead looks for the run-time ids again and loses the many boards
/// whose bootloader has other ids.
/// </para>
/// <para>
/// The alternate-setting fields apply to DFU-mode interfaces only: a run-time interface has one setting, and the wanted
/// one is chosen after the detach.
/// </para>
/// </remarks>
public sealed record DfuDeviceSelector
{
    /// <summary>Gets idVendor to match (the run-time pair; also DFU mode when no DFU-mode pair is given).</summary>
    public ushort? VendorId { get; init; }

    /// <summary>Gets idProduct to match (the run-time pair; also DFU mode when no DFU-mode pair is given).</summary>
    public ushort? ProductId { get; init; }

    /// <summary>Gets idVendor a device in DFU mode must have (the second pair of <c>VID:PID,VID:PID</c>).</summary>
    public ushort? DfuVendorId { get; init; }

    /// <summary>Gets idProduct a device in DFU mode must have (the second pair of <c>VID:PID,VID:PID</c>).</summary>
    public ushort? DfuProductId { get; init; }

    /// <summary>Gets a value indicating whether a DFU-mode pair was given (<c>*:*</c> counts: any ids in DFU mode).</summary>
    public bool HasDfuModeIds { get; init; }

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

    /// <summary>
    /// Parses <c>VID:PID[,VID:PID]</c> (hexadecimal, either side may be empty or <c>*</c>; the first pair is the
    /// run-time pair, the second the DFU-mode pair, as dfu-util's <c>-d</c>), optionally followed by <c>,serial=S</c>,
    /// <c>,path=BUS-PORT.PORT…</c>, <c>,alt=N|NAME</c>, <c>,intf=N</c>; or any of the <c>key=value</c> parts alone.
    /// </summary>
    /// <param name="text">The selector text, for example <c>0483:5740,0483:df11</c> or <c>*:df11,serial=3276375B3034</c>.</param>
    /// <returns>The selector.</returns>
    /// <exception cref="FormatException">The text is not a selector.</exception>
    public static DfuDeviceSelector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var selector = new DfuDeviceSelector();
        int pairs = 0;
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

                ushort? vendor = ParseHex(raw[..colon]);
                ushort? product = ParseHex(raw[(colon + 1)..]);
                selector = ++pairs switch
                {
                    1 => selector with { VendorId = vendor, ProductId = product },
                    2 => selector with { DfuVendorId = vendor, DfuProductId = product, HasDfuModeIds = true },
                    _ => throw new FormatException($"\"{text}\" has more than two VID:PID pairs; expected run-time and DFU-mode ids."),
                };
                continue;
            }

            string key = raw[..eq].Trim().ToLowerInvariant();
            string value = raw[(eq + 1)..].Trim();
            selector = key switch
            {
                "serial" => selector with { SerialNumber = value },
                "path" => selector with { PortPath = value },
                "intf" or "interface" => selector with { InterfaceNumber = ParseByte(value) },
                "alt" => selector.WithAlternate(value),
                _ => throw new FormatException($"Unknown selector key \"{key}\"; expected serial, path, intf or alt."),
            };
        }

        return selector;
    }

    /// <summary>Returns a copy that selects the alternate setting <paramref name="alternate"/>: a number, or a name
    /// (the whole interface string or a DfuSe memory name), as dfu-util's <c>-a</c> and DfuSharp's <c>--alt</c>.</summary>
    /// <param name="alternate">A number from 0 to 255, or a name.</param>
    /// <returns>The selector with <see cref="AlternateSetting"/> or <see cref="AlternateName"/> set (and the other cleared).</returns>
    /// <exception cref="FormatException"><paramref name="alternate"/> is empty.</exception>
    public DfuDeviceSelector WithAlternate(string alternate)
    {
        ArgumentNullException.ThrowIfNull(alternate);
        string value = alternate.Trim();
        if (value.Length == 0)
        {
            throw new FormatException("An alternate setting needs a number or a name.");
        }

        return byte.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out byte alt)
            ? this with { AlternateSetting = alt, AlternateName = null }
            : this with { AlternateName = value, AlternateSetting = null };
    }

    /// <summary>
    /// Tells whether a device's identity matches, in either mode: serial number and port path, and its ids match the
    /// run-time pair or the DFU-mode pair (ignores interface and alternate setting fields).
    /// </summary>
    /// <param name="device">The device.</param>
    /// <returns><see langword="true"/> when every identity field that is set matches.</returns>
    public bool MatchesDevice(UsbDeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return MatchesLocation(device) && (MatchesRuntimeIds(device) || MatchesDfuModeIds(device));
    }

    /// <summary>Tells whether a DFU alternate setting matches the interface and alternate setting fields; a run-time
    /// setting matches the interface number only (the alternate setting is chosen after the detach).</summary>
    /// <param name="dfuInterface">The setting.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public bool MatchesInterface(DfuInterfaceInfo dfuInterface)
    {
        ArgumentNullException.ThrowIfNull(dfuInterface);
        if (InterfaceNumber is not null && InterfaceNumber != dfuInterface.InterfaceNumber)
        {
            return false;
        }

        return dfuInterface.Setting.Mode != DfuMode.Dfu
               || ((AlternateSetting is null || AlternateSetting == dfuInterface.Setting.Number)
                   && (AlternateName is null || NameMatches(AlternateName, dfuInterface.Setting.Name)));
    }

    /// <summary>
    /// Tells whether one DFU interface of a device matches: serial and path, the ids of the interface's mode (the
    /// run-time pair for a run-time interface; the DFU-mode pair, or else the run-time pair, for a DFU-mode interface),
    /// and the interface and alternate setting fields.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="dfuInterface">One of its DFU interfaces.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public bool Matches(UsbDeviceInfo device, DfuInterfaceInfo dfuInterface)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(dfuInterface);
        bool ids = dfuInterface.Setting.Mode == DfuMode.Dfu && HasDfuModeIds ? MatchesDfuModeIds(device) : MatchesRuntimeIds(device);
        return ids && MatchesLocation(device) && MatchesInterface(dfuInterface);
    }

    /// <summary>Tells whether a device that came back after a detach is acceptable in DFU mode: it has a DFU-mode
    /// interface, and the DFU-mode pair when one is given (serial and path are checked by the caller, who knows the board).</summary>
    /// <param name="device">The device.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public bool MatchesDfuModeIds(UsbDeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return !HasDfuModeIds
               || ((DfuVendorId is null || DfuVendorId == device.VendorId) && (DfuProductId is null || DfuProductId == device.ProductId));
    }

    /// <summary>Tells whether this selector names a particular board or kind of board (ids, serial or path), as opposed
    /// to only an interface or alternate setting.</summary>
    /// <returns><see langword="true"/> when a run-time pair, a DFU-mode pair, a serial number or a port path is set.</returns>
    public bool IdentifiesDevice()
        => VendorId is not null || ProductId is not null || HasDfuModeIds || SerialNumber is not null || PortPath is not null;

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>();
        if (VendorId is not null || ProductId is not null || HasDfuModeIds)
        {
            parts.Add(Pair(VendorId, ProductId));
        }

        if (HasDfuModeIds)
        {
            parts.Add(Pair(DfuVendorId, DfuProductId));
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

    internal bool MatchesRuntimeIds(UsbDeviceInfo device)
        => (VendorId is null || VendorId == device.VendorId) && (ProductId is null || ProductId == device.ProductId);

    internal bool MatchesLocation(UsbDeviceInfo device)
        => (SerialNumber is null || string.Equals(SerialNumber, device.SerialNumber, StringComparison.Ordinal))
           && (PortPath is null || string.Equals(PortPath, device.PortPath, StringComparison.Ordinal));

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

    private static string Pair(ushort? vendor, ushort? product)
        => $"{(vendor is { } v ? v.ToString("x4", CultureInfo.InvariantCulture) : "*")}:{(product is { } p ? p.ToString("x4", CultureInfo.InvariantCulture) : "*")}";

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
