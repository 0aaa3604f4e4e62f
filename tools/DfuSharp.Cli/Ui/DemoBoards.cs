using System.Globalization;
using System.Text;

using DfuSharp.DfuSe;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Ui;

/// <summary>One line of the properties pane; a sector line also carries the sector, so that it can be picked for an erase.</summary>
/// <param name="Text">The text shown.</param>
/// <param name="Sector">The sector the line describes, or <see langword="null"/>.</param>
/// <param name="AlternateSetting">The alternate setting whose layout holds <paramref name="Sector"/>.</param>
internal sealed record PropertyLine(string Text, DfuSeSector? Sector = null, byte AlternateSetting = 0);

/// <summary>
/// The demonstrator's board list, kept live from <see cref="IUsbDeviceProvider.WatchAsync"/>: every board with a DFU
/// interface (run-time or DFU mode), and HID-detach candidates (see <see cref="IsHidCandidate"/>), in bus order. No
/// Terminal.Gui here: the views only show what this holds.
/// </summary>
/// <param name="provider">The bus.</param>
/// <param name="hidIds">VID:PID pairs the user named (<c>--hid</c>) as HID-detach boards, besides ST's vendor ID.</param>
internal sealed class DemoBoards(IUsbDeviceProvider provider, IReadOnlyCollection<(ushort VendorId, ushort ProductId)>? hidIds = null)
{
    /// <summary>The vendor IDs whose HID applications are listed as HID-detach candidates without being named:
    /// STMicroelectronics (0x0483), whose DfuSe "HID DFU" applications carry the DETACH report (ST UM0412, DfuSe).</summary>
    public static readonly IReadOnlyList<ushort> HidVendors = [0x0483];

    private readonly IReadOnlyCollection<(ushort VendorId, ushort ProductId)> _hidIds = hidIds ?? [];
    private readonly Lock _gate = new();
    private readonly List<UsbDeviceInfo> _boards = [];

    /// <summary>Raised, on the watch's thread, after the list changed.</summary>
    public event Action? Changed;

    /// <summary>Gets the bus.</summary>
    public IUsbDeviceProvider Provider { get; } = provider;

    /// <summary>Gets the boards present now.</summary>
    public IReadOnlyList<UsbDeviceInfo> Boards
    {
        get
        {
            lock (_gate)
            {
                return [.. _boards];
            }
        }
    }

    /// <summary>Follows the bus until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="UsbTransportException">The bus could not be listed.</exception>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (UsbDeviceChange change in Provider.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!change.Device.DfuInterfaces.Any() && !IsHidCandidate(change.Device, _hidIds))
                {
                    continue;
                }

                lock (_gate)
                {
                    _boards.RemoveAll(b => SameBoard(b, change.Device));
                    if (change.Kind == UsbDeviceChangeKind.Arrived)
                    {
                        _boards.Add(change.Device);
                        _boards.Sort((a, b) => (a.BusNumber, a.PortPath).CompareTo((b.BusNumber, b.PortPath)));
                    }
                }

                Changed?.Invoke();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The window closed.
        }
    }

    /// <summary>
    /// Whether a board with no DFU interface is listed as a HID-detach board (mode "hid"). Listing never opens it: the
    /// report descriptor with ST's DETACH usage (page 0xFF00, usage 0x55) is read only when the user detaches it, because
    /// reading it claims the interface from the kernel's HID driver. So only these are listed: a board with a HID
    /// interface that is not a boot keyboard or mouse (HID 1.11 §4.2: subclass 1), whose vendor is in
    /// <see cref="HidVendors"/> or whose VID:PID the user named with <c>--hid</c>.
    /// </summary>
    public static bool IsHidCandidate(UsbDeviceInfo board, IReadOnlyCollection<(ushort VendorId, ushort ProductId)> named)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(named);
        if (board.DfuInterfaces.Any())
        {
            return false;
        }

        var hid = board.Configurations.SelectMany(c => c.Interfaces.SelectMany(i => i.AlternateSettings))
            .Where(a => a.InterfaceClass == UsbStandard.HidClass).ToList();
        return hid.Count > 0
            && hid.All(a => a.InterfaceSubClass != BootInterfaceSubClass)
            && (HidVendors.Contains(board.VendorId) || named.Contains((board.VendorId, board.ProductId)));
    }

    /// <summary>One line of the board list.</summary>
    public static string Line(UsbDeviceInfo board)
        => string.Create(CultureInfo.InvariantCulture,
            $"{board.VendorId:x4}:{board.ProductId:x4} {Mode(board),-7} {board.PortPath} {board.Product ?? "(no name)"}");

    /// <summary>The properties pane: ids, strings, place, mode, the DFU functional descriptor, the alternate settings and
    /// each DfuSe memory layout as a table of sectors.</summary>
    public static string Describe(UsbDeviceInfo board) => string.Join("\n", DescribeLines(board).Select(l => l.Text)) + "\n";

    /// <summary>The properties pane line by line; sector lines carry their sector.</summary>
    public static IReadOnlyList<PropertyLine> DescribeLines(UsbDeviceInfo board)
    {
        ArgumentNullException.ThrowIfNull(board);
        var lines = new List<PropertyLine>();
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"VID:PID      {board.VendorId:x4}:{board.ProductId:x4}");
        text.AppendLine(inv, $"bcdDevice    {board.DeviceVersion:x4}");
        text.AppendLine(inv, $"Product      {board.Product ?? "-"}");
        text.AppendLine(inv, $"Manufacturer {board.Manufacturer ?? "-"}");
        text.AppendLine(inv, $"Serial       {board.SerialNumber ?? "-"}");
        text.AppendLine(inv, $"Path         {board.PortPath} (bus {board.BusNumber}, address {board.DeviceAddress})");
        text.AppendLine(inv, $"Mode         {Mode(board)}");
        DfuInterfaceInfo[] interfaces = [.. board.DfuInterfaces];
        if (interfaces.FirstOrDefault(i => i.Setting.Dfu is not null)?.Setting.Dfu is { } d)
        {
            text.AppendLine(inv, $"DFU          version {d.DfuVersion >> 8:x}.{d.DfuVersion & 0xFF:x2}{(d.IsDfuSe ? " (DfuSe)" : string.Empty)}, transfer size {d.TransferSize}, detach timeout {d.DetachTimeout} ms");
            text.AppendLine(inv, $"Attributes   download {YesNo(d.CanDownload)}, upload {YesNo(d.CanUpload)}, manifestation tolerant {YesNo(d.ManifestationTolerant)}, will detach {YesNo(d.WillDetach)}");
        }

        text.AppendLine("Alternate settings");
        foreach (DfuInterfaceInfo i in interfaces)
        {
            text.AppendLine(inv, $"  intf {i.InterfaceNumber} alt {i.Setting.Number}: {i.Setting.Name ?? "(no name)"}");
        }

        foreach (DfuInterfaceInfo i in interfaces)
        {
            if (!DfuSeMemoryLayout.TryParse(i.Setting.Name, out DfuSeMemoryLayout? layout))
            {
                continue;
            }

            text.AppendLine(inv, $"Sectors of alt {i.Setting.Number}: {layout.Name.Trim()} (Enter on a sector adds it to the erase)");
            text.Append("  #   address     size      access");
            Flush(text, lines);
            int n = 0;
            foreach (DfuSeSector sector in layout.Regions.SelectMany(r => r.Sectors))
            {
                lines.Add(new PropertyLine(string.Create(inv, $"  {n++,-3} 0x{sector.Address:X8}  {Size(sector.Size),-9} {Access(sector.Access)}"), sector, i.Setting.Number));
            }
        }

        if (IsHidCandidate(board, [(board.VendorId, board.ProductId)]))
        {
            text.AppendLine("HID          a HID application: Detach sends ST's DETACH report (its report descriptor is read then)");
        }

        Flush(text, lines);
        return lines;
    }

    private static void Flush(StringBuilder text, List<PropertyLine> lines)
    {
        foreach (string line in text.ToString().Split('\n'))
        {
            if (line.TrimEnd('\r') is { Length: > 0 } trimmed)
            {
                lines.Add(new PropertyLine(trimmed));
            }
        }

        text.Clear();
    }

    // HID 1.11 §4.2: subclass 1 is the boot interface of keyboards and mice.
    private const byte BootInterfaceSubClass = 1;

    private static bool SameBoard(UsbDeviceInfo a, UsbDeviceInfo b)
        => a.BusNumber == b.BusNumber && a.PortPath == b.PortPath && a.DeviceAddress == b.DeviceAddress;

    private static string Mode(UsbDeviceInfo board)
        => board.DfuInterfaces.Any(i => i.Setting.Mode == DfuMode.Dfu) ? "dfu" : board.DfuInterfaces.Any() ? "runtime" : "hid";

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Size(uint bytes) => bytes % 1024 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024} KiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} B");

    private static string Access(DfuSeSectorAccess access)
    {
        var parts = new List<string>();
        foreach (DfuSeSectorAccess flag in Enum.GetValues<DfuSeSectorAccess>())
        {
            if (flag != 0 && access.HasFlag(flag))
            {
                parts.Add(flag.ToString().ToLowerInvariant());
            }
        }

        return parts.Count == 0 ? "-" : string.Join(",", parts);
    }
}
