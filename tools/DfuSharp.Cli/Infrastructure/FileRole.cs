namespace DfuSharp.Cli.Infrastructure;

/// <summary>Whether a file is read or written; it decides between "no input" (66) and "cannot create" (73).</summary>
internal enum FileRole
{
    /// <summary>A file the command reads.</summary>
    Input,

    /// <summary>A file the command creates or replaces.</summary>
    Output,
}

/// <summary>
/// Carries the file name and its role with a failure from the file layer up to <see cref="CliErrors"/>, the one place
/// that turns exceptions into exit codes and messages.
/// </summary>
internal sealed class CliFileException : Exception
{
    public CliFileException(string path, FileRole role, Exception innerException)
        : base(innerException.Message, innerException)
    {
        Path = path;
        Role = role;
    }

    public CliFileException()
        : this(string.Empty, FileRole.Input, new IOException())
    {
    }

    public CliFileException(string message)
        : this(string.Empty, FileRole.Input, new IOException(message))
    {
    }

    public CliFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
    }

    /// <summary>Gets the file.</summary>
    public string Path { get; }

    /// <summary>Gets whether the file was being read or written.</summary>
    public FileRole Role { get; }
}
