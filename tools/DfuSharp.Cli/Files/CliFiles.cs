using System.Buffers;

using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Files;

/// <summary>
/// Reads input files and writes output files for the commands. Every failure leaves here as a
/// <see cref="CliFileException"/> naming the file and whether it was read or written, so that
/// <see cref="CliErrors"/> can choose the exit code.
/// </summary>
internal static class CliFiles
{
    /// <summary>Reads a whole input file.</summary>
    public static async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            throw new CliFileException(path, FileRole.Input, ex);
        }
    }

    /// <summary>
    /// Runs a decoder over a file's bytes, attaching the file name to a format error so the message says which file
    /// is wrong.
    /// </summary>
    public static T Decode<T>(string path, Func<T> decode)
    {
        ArgumentNullException.ThrowIfNull(decode);
        try
        {
            return decode();
        }
        catch (Exception ex) when (ex is DfuSharp.Formats.DfuFormatException or CliException)
        {
            throw new CliFileException(path, FileRole.Input, ex);
        }
    }

    /// <summary>
    /// Writes an output file atomically: the bytes go to a temporary file beside it, which then replaces the target
    /// in one rename. A failure or a cancellation leaves the target as it was (absent, or its old content), never
    /// half written. The same holds for in-place edits, whose output is their input.
    /// </summary>
    public static async Task WriteAtomicAsync(string path, Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        await WriteAtomicAsync(path, buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="WriteAtomicAsync(string, Action{IBufferWriter{byte}}, CancellationToken)"/>
    public static async Task WriteAtomicAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        string? temp = null;
        try
        {
            string full = Path.GetFullPath(path);

            // Editing through a symbolic link changes the file it points to; the link stays a link.
            if (new FileInfo(full).LinkTarget is not null && File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target)
            {
                full = target.FullName;
            }

            string directory = Path.GetDirectoryName(full) ?? throw new DirectoryNotFoundException($"no folder for {path}");
            temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, full, overwrite: true);
            temp = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            throw new CliFileException(path, FileRole.Output, ex);
        }
        finally
        {
            if (temp is not null)
            {
                TryDelete(temp);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The temporary file is hidden and uniquely named; failing to remove it must not hide the real error.
        }
    }
}
