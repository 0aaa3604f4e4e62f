using System.Globalization;

using DfuSharp.Cli.Commands;
using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Ui;

/// <summary>
/// What the file picker shows: the chosen file's <c>dfusharp file info</c> summary (the same description and printer
/// the CLI uses), and its match against a board, decided by the library's planner (<see cref="DfuDevice.PlanDownload(DfuFile, DownloadOptions?)"/>)
/// as <c>dfusharp download --dry-run</c> decides it.
/// </summary>
internal static class DemoFiles
{
    /// <summary>The <c>file info</c> text of a file, or why it could not be read.</summary>
    public static IReadOnlyList<string> Summary(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var text = new StringWriter(CultureInfo.InvariantCulture);
        try
        {
            byte[] content = File.ReadAllBytes(path);
            FirmwareDescription description = FirmwareFiles.Describe(path, content, 0);
            FileInfoPrinter.WriteText(text, Path.GetFileName(path), description);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CliException or DfuFormatException)
        {
            text.WriteLine($"{Path.GetFileName(path)}: {ex.Message}");
        }

        return [.. text.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
    }

    /// <summary>
    /// The match of a .dfu file against an open board: the ids of the suffix and the board, the DfuSe target names and
    /// the board's alternate setting names, and the planner's verdict on the layout (what would be erased and written,
    /// or the refusal and whether Force overrides it).
    /// </summary>
    /// <exception cref="IOException">The file could not be read.</exception>
    public static async Task<IReadOnlyList<string>> MatchAsync(DfuDevice device, string path, UpgradeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(request);
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>();
        DfuFile file;
        try
        {
            file = DfuFile.Read(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch (DfuFormatException ex)
        {
            return [$"Verdict: not a .dfu file the upgrade can write ({ex.Message}); the generator (New .dfu) makes one"];
        }

        UsbDeviceInfo board = device.Info;
        if (file.Suffix is { } s)
        {
            lines.Add(string.Create(inv, $"Ids: file {Id(s.VendorId)}:{Id(s.ProductId)} bcdDevice {Id(s.DeviceVersion)}; board {board.VendorId:x4}:{board.ProductId:x4} bcdDevice {board.DeviceVersion:x4}"));
        }

        if (file.DfuSe is { } image)
        {
            foreach (DfuSeTarget target in image.Targets)
            {
                string? name = device.AlternateSettings.FirstOrDefault(a => a.Setting.Number == target.AlternateSetting)?.Setting.Name;
                lines.Add(string.Create(inv, $"Target alt {target.AlternateSetting} \"{target.Name}\": board alt {target.AlternateSetting} is {(name is null ? "missing" : "\"" + name + "\"")}"));
            }
        }

        try
        {
            TransferPlan plan = device.PlanDownload(file, new DownloadOptions
            {
                Verify = request.Verify,
                Force = request.Force,
                AllowOptionBytes = request.Consent,
                AllowIrreversible = request.Consent,
            });
            lines.Add(string.Create(inv, $"Verdict: fits; writes {plan.WriteBytes} bytes in {plan.Segments.Length} segment(s), erases {plan.EraseCount} sector(s){(plan.VerifyBytes > 0 ? $", verifies {plan.VerifyBytes} bytes" : string.Empty)}"));
            lines.AddRange(plan.Warnings.Select(w => "Warning: " + w));
        }
        catch (DfuFileMismatchException ex)
        {
            lines.Add(ex.CanForce ? "Verdict: refused, Force overrides it: " + ex.Message : "Verdict: refused: " + ex.Message);
        }
        catch (DfuConsentRequiredException ex)
        {
            lines.Add("Verdict: needs consent (" + ex.Consent + "): " + ex.Message);
        }
        catch (Exception ex) when (ex is DfuException or NotSupportedException or ArgumentException)
        {
            lines.Add("Verdict: does not fit: " + ex.Message);
        }

        return lines;
    }

    private static string Id(ushort value) => value == DfuSuffix.Any ? "any" : value.ToString("x4", CultureInfo.InvariantCulture);
}
