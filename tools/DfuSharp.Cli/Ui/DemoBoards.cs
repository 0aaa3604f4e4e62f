using System.Globalization;
using System.Text;

using DfuSharp.DfuSe;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Ui;

/// <summary>
/// The demonstrator's board list, kept live from <see cref="IUsbDeviceProvider.WatchAsync"/>: every board with a DFU
/// interface (run-time or DFU mode), in bus order. No Terminal.Gui here: the views only show what this holds.
/// </summary>
internal sealed class DemoBoards(IUsbDeviceProvider provider)
{
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
                if (!change.Device.DfuInterfaces.Any())
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

    /// <summary>One line of the board list.</summary>
    public static string Line(UsbDeviceInfo board)
        => string.Create(CultureInfo.InvariantCulture,
            $"{board.VendorId:x4}:{board.ProductId:x4} {Mode(board),-7} {board.PortPath} {board.Product ?? "(no name)"}");

    /// <summary>The properties pane: ids, strings, place, mode, the DFU functional descriptor, the alternate settings and
    /// each DfuSe memory layout as a table of sectors.</summary>
    public static string Describe(UsbDeviceInfo board)
    {
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

            text.AppendLine(inv, $"Sectors of alt {i.Setting.Number}: {layout.Name.Trim()}");
            text.AppendLine("  #   address     size      access");
            int n = 0;
            foreach (DfuSeSector sector in layout.Regions.SelectMany(r => r.Sectors))
            {
                text.AppendLine(inv, $"  {n++,-3} 0x{sector.Address:X8}  {Size(sector.Size),-9} {Access(sector.Access)}");
            }
        }

        return text.ToString();
    }

    private static bool SameBoard(UsbDeviceInfo a, UsbDeviceInfo b)
        => a.BusNumber == b.BusNumber && a.PortPath == b.PortPath && a.DeviceAddress == b.DeviceAddress;

    private static string Mode(UsbDeviceInfo board)
        => board.DfuInterfaces.Any(i => i.Setting.Mode == DfuMode.Dfu) ? "dfu" : "runtime";

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
