using DfuSharp;

namespace FirmwareUpdate;

/// <summary>
/// What the CodeProject article's <c>OnFirmwareUpdateProgress</c> event carried (a percentage and a message), taken
/// from one <see cref="DfuProgress"/> report.
/// </summary>
/// <param name="Progress">The report: phase, units done, units in the phase, and the whole operation's figures.</param>
/// <param name="Percent">How far the whole operation is, 0 to 100 (as <c>ST_GetDFUStatus</c> and the article report it).</param>
/// <param name="Message">A line for a log or a status bar.</param>
internal sealed record FirmwareUpdateProgressEventArgs(DfuProgress Progress, int Percent, string Message);

/// <summary>
/// An <see cref="IProgress{T}"/> that raises a plain .NET event, for code written against the article's
/// <c>FirmwareUpdate.OnFirmwareUpdateProgress</c>. The event is raised on the thread that reports, at once (unlike
/// <see cref="Progress{T}"/>, which posts to the synchronization context it was created on): a WinForms or WPF
/// handler marshals to its UI thread itself (<c>Control.BeginInvoke</c>, <c>Dispatcher.InvokeAsync</c>).
/// </summary>
internal sealed class ProgressEvents : IProgress<DfuProgress>
{
    /// <summary>Raised for every progress report: once per block written, read or verified, once per sector erased.</summary>
    public event EventHandler<FirmwareUpdateProgressEventArgs>? ProgressChanged;

    /// <inheritdoc/>
    public void Report(DfuProgress value)
    {
        // One percentage for the whole operation: the library weighs every planned phase by its expected time.
        int percent = (int)Math.Clamp(Math.Floor(value.OverallFraction * 100), 0, 100);
        string left = value.TimeLeft is { } timeLeft ? $", {timeLeft.TotalSeconds:0.0} s left" : string.Empty;
        string message = $"{value.Phase}: {value.Completed} of {value.Total} {value.Unit.ToString().ToLowerInvariant()}{left}";
        ProgressChanged?.Invoke(this, new FirmwareUpdateProgressEventArgs(value, percent, message));
    }
}
