using System.Globalization;

using DfuSharp.Usb;

namespace DfuSharp;

/// <content>Many boards at once: every board a selector matches, told apart by port path.</content>
public sealed partial class DfuDevice
{
    /// <summary>
    /// Lists every board that matches <paramref name="selector"/>, once each (a board with several DFU alternate
    /// settings is one board), in bus order. Boards are told apart by their port path, never by their serial number:
    /// ST's system-memory bootloaders derive the serial from the chip's unique ID, and several ROM versions report the
    /// same string on every chip (ST community thread "Parallel Programming over USB DFU"; dfu-util's <c>-p</c> option
    /// exists for the same reason).
    /// </summary>
    /// <remarks>
    /// As for <see cref="OpenAsync"/>, a HID application with ST's DETACH report is a board only when the selector names
    /// it by its ids, serial number or port path.
    /// </remarks>
    /// <param name="provider">The bus.</param>
    /// <param name="selector">What to match; every DFU board when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The matching boards, one entry each; empty when none matches.</returns>
    /// <exception cref="DfuAmbiguousDeviceException">Several boards match and one of them has no port path, so they cannot
    /// be told apart.</exception>
    /// <exception cref="UsbTransportException">The bus could not be enumerated.</exception>
    public static async Task<IReadOnlyList<UsbDeviceInfo>> ListBoardsAsync(
        IUsbDeviceProvider provider, DfuDeviceSelector? selector = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        selector ??= new DfuDeviceSelector();
        IReadOnlyList<UsbDeviceInfo> present = await provider.EnumerateAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<UsbDeviceInfo> hid = selector.IdentifiesDevice()
            ? present.Where(d => !d.DfuInterfaces.Any() && selector.MatchesRuntimeIds(d) && selector.MatchesLocation(d) && HidInterfaces(d).Any())
            : [];
        var matching = Candidates(present, selector).Select(c => c.Device).Concat(hid).ToHashSet();
        var boards = new List<UsbDeviceInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (UsbDeviceInfo device in present.Where(matching.Contains))
        {
            if (seen.Add(BoardKey(device)))
            {
                boards.Add(device);
            }
        }

        if (boards.Count > 1 && boards.FirstOrDefault(b => b.PortPath.Length == 0) is { } unplaced)
        {
            throw new DfuAmbiguousDeviceException(
                $"{boards.Count} devices match {selector}, and {unplaced.DisplayName} has no port path, so the boards cannot be told apart: {Describe(boards)}.");
        }

        return boards;
    }

    /// <summary>
    /// Opens every board that matches <paramref name="selector"/> (see <see cref="ListBoardsAsync"/>), each in a session
    /// of its own that follows the board by its port path (through a detach or a re-enumeration too). The boards are
    /// opened at once; when one cannot be opened, the sessions already open are closed and the first failure is thrown,
    /// so the caller either gets every board or none.
    /// </summary>
    /// <remarks>
    /// Each session is independent: the sessions can run their operations in parallel, one per board, and one board's
    /// failure does not touch the others. To go on with the boards that could be opened, list them with
    /// <see cref="ListBoardsAsync"/> and open each with <see cref="OpenAsync"/> and a selector narrowed to its
    /// <see cref="UsbDeviceInfo.PortPath"/>.
    /// </remarks>
    /// <param name="provider">The bus; it must allow several open devices at once (the libusb and simulated providers do).</param>
    /// <param name="selector">What to match; every DFU board when <see langword="null"/>.</param>
    /// <param name="options">Session settings, shared by every session.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The open boards in bus order; dispose each.</returns>
    /// <exception cref="DfuDeviceNotFoundException">No board matches.</exception>
    /// <exception cref="DfuAmbiguousDeviceException">Several boards match and one of them has no port path.</exception>
    /// <exception cref="DfuProtocolException">A board has no DFU functional descriptor.</exception>
    /// <exception cref="UsbTransportException">A board could not be opened or claimed.</exception>
    public static async Task<IReadOnlyList<DfuDevice>> OpenAllAsync(
        IUsbDeviceProvider provider, DfuDeviceSelector? selector = null, DfuDeviceOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        selector ??= new DfuDeviceSelector();
        IReadOnlyList<UsbDeviceInfo> boards = await ListBoardsAsync(provider, selector, cancellationToken).ConfigureAwait(false);
        if (boards.Count == 0)
        {
            throw new DfuDeviceNotFoundException(selector == new DfuDeviceSelector()
                ? "No DFU device is present."
                : $"No DFU device matches {selector}.");
        }

        Task<DfuDevice>[] opening =
        [
            .. boards.Select(b => boards.Count == 1
                ? OpenAsync(provider, selector, options, cancellationToken)
                : OpenAsync(provider, selector with { PortPath = b.PortPath }, options, cancellationToken)),
        ];
        try
        {
            return await Task.WhenAll(opening).ConfigureAwait(false);
        }
        catch
        {
            foreach (Task<DfuDevice> open in opening.Where(t => t.IsCompletedSuccessfully))
            {
                await open.Result.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    // A board is its port; a device without one (a provider that cannot tell) is its bus address.
    private static string BoardKey(UsbDeviceInfo device)
        => device.PortPath.Length > 0
            ? device.PortPath
            : string.Create(CultureInfo.InvariantCulture, $"{device.BusNumber}@{device.DeviceAddress}");
}
