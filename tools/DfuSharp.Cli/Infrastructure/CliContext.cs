namespace DfuSharp.Cli.Infrastructure;

/// <summary>What every command writes to: standard output for results, standard error for diagnostics.</summary>
/// <param name="Out">Results (text or JSON).</param>
/// <param name="Error">Diagnostics: errors, warnings, progress.</param>
internal sealed record CliContext(TextWriter Out, TextWriter Error)
{
    /// <summary>Writes a warning line to standard error: <c>dfusharp: FILE: warning: message</c>.</summary>
    public void Warn(string? path, string message)
        => Error.WriteLine(path is null ? $"dfusharp: warning: {message}" : $"dfusharp: {path}: warning: {message}");
}
