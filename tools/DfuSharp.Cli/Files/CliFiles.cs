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
    /// <summary>
    /// The largest input dfusharp reads: 512 MiB. Firmware images are far smaller (the largest STM32 flash is 4 MiB);
    /// the cap keeps a wrong path (a disk image, <c>/dev/zero</c>) from filling memory.
    /// </summary>
    public const long MaxInputLength = 512L * 1024 * 1024;

    private const int ReadChunk = 64 * 1024;

    /// <summary>
    /// Reads a whole input file. Only a regular file of at most <see cref="MaxInputLength"/> bytes is read; both are
    /// checked before reading, so a device or a FIFO is refused instead of read forever.
    /// </summary>
    public static async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            switch (FileProbe.Probe(path))
            {
                case PathKind.Directory:
                    throw new CliException(ExitCodes.NoInput, "cannot read: is a directory", path);
                case PathKind.Special:
                    throw new CliException(ExitCodes.NoInput, "cannot read: not a regular file (a device, FIFO or socket); firmware is read from regular files", path);
            }

            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                long length = stream.Length;
                if (length > MaxInputLength)
                {
                    throw TooLarge(path);
                }

                // Files in /proc report a length of 0 and still have content: read to the end, but never past the cap.
                var buffer = new ArrayBufferWriter<byte>((int)length + 1);
                while (true)
                {
                    int read = await stream.ReadAsync(buffer.GetMemory(ReadChunk), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return buffer.WrittenSpan.ToArray();
                    }

                    buffer.Advance(read);
                    if (buffer.WrittenCount > MaxInputLength)
                    {
                        throw TooLarge(path);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            throw new CliFileException(path, FileRole.Input, ex);
        }
    }

    private static CliException TooLarge(string path)
        => new(ExitCodes.DataError,
            $"too large: dfusharp reads inputs of up to {MaxInputLength / (1024 * 1024)} MiB (firmware images are far smaller)", path);

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
    /// half written. The same holds for in-place edits, whose output is their input. A target that exists and is not
    /// a regular file (a device, a FIFO, a socket) is written directly instead, never replaced; a directory is refused.
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

            switch (FileProbe.Probe(full))
            {
                case PathKind.Directory:
                    throw new CliException(ExitCodes.CannotCreate, "cannot create: is a directory", path);
                case PathKind.Special:
                    await WriteDirectAsync(full, content, cancellationToken).ConfigureAwait(false);
                    return;
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

    /// <summary>
    /// Checks, before any device I/O, that an output file can be created: its folder exists and is not a file, and
    /// the target is not a directory. A command that reads a device for minutes must not fail only when it saves.
    /// </summary>
    public static void CheckWritable(string path)
    {
        try
        {
            string full = Path.GetFullPath(path);
            PathKind kind = FileProbe.Probe(full);
            if (kind == PathKind.Directory)
            {
                throw new CliException(ExitCodes.CannotCreate, "cannot create: is a directory", path);
            }

            string? directory = Path.GetDirectoryName(full);
            if (directory is null || FileProbe.Probe(directory) != PathKind.Directory)
            {
                throw new CliException(ExitCodes.CannotCreate, "cannot create: the folder does not exist", path);
            }

            if (kind != PathKind.Special)
            {
                // The atomic write creates a temporary file in this folder; try that now (a folder such as /proc
                // exists but takes no new files).
                string probe = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
                using var created = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException)
        {
            throw new CliFileException(path, FileRole.Output, ex);
        }
    }

    // A device, FIFO or socket cannot be renamed over: the bytes go to it as they are, and a short write
    // (ENOSPC from /dev/full) is reported, not hidden.
    private static async Task WriteDirectAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0, useAsync: false);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
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
