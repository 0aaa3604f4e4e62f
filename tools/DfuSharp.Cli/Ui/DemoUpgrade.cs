using System.Globalization;

using DfuSharp.Cli.Files;
using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Ui;

/// <summary>What the user asked for in the upgrade pane.</summary>
/// <param name="FirmwarePath">The .dfu file to write.</param>
/// <param name="BackupPath">Where to store the present firmware first, or <see langword="null"/> for no backup.</param>
/// <param name="Verify">Whether to read back and compare.</param>
/// <param name="Force">Whether a refusal that can be forced (ids, names) was confirmed.</param>
/// <param name="Consent">Whether writing option bytes or irreversible memory was consented to, as the CLI's
/// <c>--allow-option-bytes</c> and <c>--allow-irreversible</c>.</param>
internal sealed record UpgradeRequest(string FirmwarePath, string? BackupPath, bool Verify, bool Force = false, bool Consent = false);

/// <summary>Progress of one running upgrade as the views show it: the phase bar and the overall bar.</summary>
/// <param name="Phase">The phase running.</param>
/// <param name="PhaseFraction">How much of the phase is done (0–1).</param>
/// <param name="Overall">How much of the whole upgrade is done (0–1).</param>
/// <param name="Text">Bytes, KB/s and time left of the phase.</param>
internal readonly record struct UpgradeStatus(DfuPhase Phase, double PhaseFraction, double Overall, string Text);

/// <summary>
/// One upgrade of one board through the public library API only: open, plan, store the present firmware, write,
/// verify. Abort is the cancellation of the token passed in, the same path as Ctrl+C in the CLI; the library then brings
/// the board back to dfuIDLE.
/// </summary>
internal static class DemoUpgrade
{
    /// <summary>Runs the upgrade.</summary>
    /// <exception cref="DfuException">The library refused or the board failed (the message says why).</exception>
    /// <exception cref="DfuFormatException">The file is not a valid .dfu file.</exception>
    /// <exception cref="IOException">A file could not be read or written.</exception>
    /// <exception cref="OperationCanceledException">Aborted.</exception>
    public static async Task<DownloadResult> RunAsync(
        IUsbDeviceProvider provider, DfuDeviceOptions options, UsbDeviceInfo board, UpgradeRequest request,
        Action<UpgradeStatus> report, CancellationToken cancellationToken)
    {
        DfuFile file = DfuFile.Read(await File.ReadAllBytesAsync(request.FirmwarePath, cancellationToken).ConfigureAwait(false));
        await using DfuDevice device = await DfuDevice.OpenAsync(
            provider, new DfuDeviceSelector { PortPath = board.PortPath, SerialNumber = board.SerialNumber }, options, cancellationToken).ConfigureAwait(false);
        var download = new DownloadOptions
        {
            Verify = request.Verify,
            Force = request.Force,
            AllowOptionBytes = request.Consent,
            AllowIrreversible = request.Consent,
            Backup = request.BackupPath is { } backupPath
                ? async (previous, ct) => await CliFiles.WriteAtomicAsync(backupPath, previous.ToArray(), ct).ConfigureAwait(false)
                : null,
        };
        TransferPlan plan = device.PlanDownload(file, download);
        var tracker = new ProgressTracker(report);
        return await device.ExecuteAsync(plan, download.Backup, tracker, cancellationToken).ConfigureAwait(false);
    }

    // The bars and the status line from the library's own figures: the phase's counts, and the whole operation's
    // fraction (weighted by expected time from the plan), rate and time left.
    private sealed class ProgressTracker(Action<UpgradeStatus> report) : IProgress<DfuProgress>
    {
        public void Report(DfuProgress value)
        {
            double fraction = value.Total > 0 ? Math.Clamp((double)value.Completed / value.Total, 0, 1) : 1;
            string left = value.TimeLeft is { } timeLeft ? timeLeft.ToString(@"m\:ss", CultureInfo.InvariantCulture) + " left" : "estimating";
            string pacing = value.Pacing is { } paced ? $"  pacing {paced.ToString().ToLowerInvariant()}" : string.Empty;
            string counts = value.Unit == DfuProgressUnit.Bytes
                ? string.Create(CultureInfo.InvariantCulture, $"{value.Completed}/{value.Total} bytes  {value.BytesPerSecond / 1000:0.0} KB/s")
                : string.Create(CultureInfo.InvariantCulture, $"{value.Completed}/{value.Total}");
            report(new UpgradeStatus(value.Phase, fraction, Math.Clamp(value.OverallFraction, 0, 1), $"{counts}  {left}{pacing}"));
        }
    }
}
