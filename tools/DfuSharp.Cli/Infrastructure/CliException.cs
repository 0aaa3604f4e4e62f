namespace DfuSharp.Cli.Infrastructure;

/// <summary>
/// A failure the CLI detects itself (a file that already has a suffix, an input that does not fit the command), with
/// the exit code it ends the process with and the file it concerns.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message, string? path = null)
        : base(message)
    {
        ExitCode = exitCode;
        Path = path;
    }

    public CliException()
        : this(ExitCodes.Usage, "invalid command line")
    {
    }

    public CliException(string message)
        : this(ExitCodes.Usage, message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Usage;
    }

    /// <summary>Gets the exit code.</summary>
    public int ExitCode { get; }

    /// <summary>Gets the file the failure concerns, or <see langword="null"/>.</summary>
    public string? Path { get; }

    /// <summary>A usage error: the command line asks for something impossible.</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    /// <summary>A data error in a file.</summary>
    public static CliException BadData(string path, string message) => new(ExitCodes.DataError, message, path);
}
