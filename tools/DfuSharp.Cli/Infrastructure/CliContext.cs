namespace DfuSharp.Cli.Infrastructure;

/// <summary>What every command writes to: standard output for results, standard error for diagnostics.</summary>
/// <param name="Out">Results (text or JSON).</param>
/// <param name="Error">Diagnostics: errors, warnings, progress.</param>
/// <param name="Interactive">
/// Whether a person watches standard error on a terminal: long operations then draw a live progress bar; otherwise
/// (redirected, or the CI variable set) they print plain progress lines.
/// </param>
internal sealed record CliContext(TextWriter Out, TextWriter Error, bool Interactive = false)
{
    /// <summary>Gets where device commands find devices and their clock (tests inject virtual time and prepared buses).</summary>
    public Devices.CliDeviceEnvironment Devices { get; init; } = Cli.Devices.CliDeviceEnvironment.Default;

    /// <summary>Gets the value of <c>DFUSHARP_LOG_LEVEL</c>; <see cref="Program"/> reads it from the environment.</summary>
    public string? LogLevelVariable { get; init; }

    /// <summary>
    /// Gets how the library's log reaches standard error at a level: the console logger in the process; tests capture
    /// the lines instead.
    /// </summary>
    public Func<Microsoft.Extensions.Logging.LogLevel, Microsoft.Extensions.Logging.ILoggerFactory> CreateLoggerFactory { get; init; } = CliLogging.CreateConsole;

    /// <summary>Writes a warning line to standard error: <c>dfusharp: FILE: warning: message</c>.</summary>
    public void Warn(string? path, string message)
        => Error.WriteLine(path is null ? $"dfusharp: warning: {message}" : $"dfusharp: {path}: warning: {message}");
}
