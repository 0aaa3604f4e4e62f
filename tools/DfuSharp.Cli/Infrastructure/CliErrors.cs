using System.Security;

using DfuSharp.Formats;

namespace DfuSharp.Cli.Infrastructure;

/// <summary>What the CLI reports for a failure: the exit code, the file it concerns and the message.</summary>
/// <param name="ExitCode">One of <see cref="ExitCodes"/>.</param>
/// <param name="Path">The file the failure concerns, or <see langword="null"/>.</param>
/// <param name="Message">What is wrong and where.</param>
internal sealed record CliError(int ExitCode, string? Path, string Message)
{
    /// <summary>Gets the stderr line: <c>dfusharp: FILE: message</c>, or <c>dfusharp: message</c> without a file.</summary>
    public string ToDiagnostic() => Path is null ? $"dfusharp: {Message}" : $"dfusharp: {Path}: {Message}";

    /// <summary>Gets the message with the file in front, for the JSON error object.</summary>
    public string ToJsonMessage() => Path is null ? Message : $"{Path}: {Message}";
}

/// <summary>
/// The one place that turns exceptions into exit codes and messages. Commands throw; they never choose exit codes for
/// failures themselves.
/// </summary>
internal static class CliErrors
{
    /// <summary>Maps a failure to what the CLI reports.</summary>
    /// <remarks>
    /// Whatever layer built the message, it never ends in .NET's "(Parameter 'image')" or "Actual value was" tails:
    /// they name a C# parameter the user never saw.
    /// </remarks>
    public static CliError Map(Exception exception)
    {
        CliError error = MapException(exception);
        return error with { Message = WithoutParameterTail(error.Message) };
    }

    /// <summary>Removes the "(Parameter 'x')" and "Actual value was …" tails .NET appends to argument messages.</summary>
    internal static string WithoutParameterTail(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        int actual = message.IndexOf(Environment.NewLine + "Actual value was", StringComparison.Ordinal);
        if (actual >= 0)
        {
            message = message[..actual];
        }

        return s_parameterTail.Replace(message, string.Empty);
    }

    private static readonly System.Text.RegularExpressions.Regex s_parameterTail =
        new(@" \(Parameter '[^']*'\)$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static CliError MapException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            // The library's own failures carry their category, whose value is the exit code: embedders map them the same way.
            DfuEraseCanceledException e => new CliError((int)e.Category, null, e.Message),
            OperationCanceledException => new CliError(ExitCodes.Cancelled, null, "cancelled"),
            CliException e => new CliError(e.ExitCode, e.Path, e.Message),
            CliFileException e => MapFile(e.Path, e.Role, e.InnerException!),
            DfuFormatException e => new CliError((int)e.Category, null, e.Message),
            DfuException e => new CliError((int)e.Category, null, e.Message),

            // A native library that loaded but is not the one expected (a wrong DFUSHARP_LIBUSB_PATH) cannot reach devices.
            DllNotFoundException or EntryPointNotFoundException
                => new CliError(ExitCodes.NoDevice, null, $"the USB library could not be used: {exception.Message}"),
            NotSupportedException e => new CliError(ExitCodes.Usage, null, e.Message),
            ArgumentException e => new CliError(ExitCodes.Usage, e.ParamName, WithoutParameter(e)),
            FileNotFoundException e => new CliError(ExitCodes.NoInput, e.FileName, "no such file"),
            IOException e => new CliError(ExitCodes.IOError, null, e.Message),
            // The stack trace goes to standard error only (CliApp), never into a message or the JSON object.
            _ => new CliError(ExitCodes.Software, null, $"internal error ({exception.GetType().Name}): {exception.Message}; please report it"),
        };
    }

    /// <summary>Gets an argument exception's message without the "(Parameter 'x')" and "Actual value was" tails .NET appends.</summary>
    internal static string WithoutParameter(ArgumentException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return WithoutParameterTail(exception.Message);
    }

    private static CliError MapFile(string path, FileRole role, Exception inner) => inner switch
    {
        OperationCanceledException => new CliError(ExitCodes.Cancelled, null, "cancelled"),
        DfuFormatException e => new CliError((int)e.Category, path, e.Message),
        InvalidDataException e => new CliError(ExitCodes.DataError, path, e.Message),
        CliException e => new CliError(e.ExitCode, e.Path ?? path, e.Message),
        FileNotFoundException when role == FileRole.Input => new CliError(ExitCodes.NoInput, path, "no such file"),
        FileNotFoundException => new CliError(ExitCodes.CannotCreate, path, "cannot create: no such file or folder"),
        DirectoryNotFoundException when role == FileRole.Input => new CliError(ExitCodes.NoInput, path, "no such file or folder"),
        DirectoryNotFoundException => new CliError(ExitCodes.CannotCreate, path, "cannot create: the folder does not exist"),
        UnauthorizedAccessException or SecurityException when role == FileRole.Input
            => new CliError(ExitCodes.NoInput, path, "cannot read: permission denied"),
        UnauthorizedAccessException or SecurityException
            => new CliError(ExitCodes.CannotCreate, path, "cannot create: permission denied"),
        IOException e => new CliError(ExitCodes.IOError, path, role == FileRole.Input ? $"read failed: {e.Message}" : $"write failed: {e.Message}"),
        _ => Map(inner) with { Path = path },
    };
}
