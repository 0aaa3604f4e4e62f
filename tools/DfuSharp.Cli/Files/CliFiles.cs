using System.Buffers;

using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Files;

/// <summary>
/// Reads input files and writes output files for the commands. Every failure leaves here as a
/// <see cref="CliFileException"/> naming the file and whether it was read or written, so that
/// <see cref="CliErrors"/> can choose the exit code.
/// </summary>
internal static partial class CliFiles
{
    /// <summary>
    /// The largest input dfusharp reads: 512 MiB. Firmware images are far smaller (the largest STM32 flash is 4 MiB);
    /// the cap keeps a wrong path (a disk image, <c>/dev/zero</c>) from filling memory.
    /// </summary>
    public const long MaxInputLength = 512L * 1024 * 1024;

    private const int ReadChunk = 64 * 1024;

    // NAME_MAX of Linux, macOS and Windows file systems: a file name longer than this (in UTF-8 bytes) cannot exist.
    private const int MaxNameBytes = 255;

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

                // The file is read into one array of its length, with no second copy. Files in /proc report a
                // length of 0 and still have content: when the file turns out longer than it said, the rest is read
                // to the end, but never past the cap.
                byte[] content = new byte[length];
                int filled = 0;
                while (filled < content.Length)
                {
                    int read = await stream.ReadAsync(content.AsMemory(filled, Math.Min(ReadChunk, content.Length - filled)), cancellationToken)
                        .ConfigureAwait(false);
                    if (read == 0)
                    {
                        return content[..filled];
                    }

                    filled += read;
                }

                var rest = new ArrayBufferWriter<byte>();
                while (true)
                {
                    int read = await stream.ReadAsync(rest.GetMemory(ReadChunk), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return rest.WrittenCount == 0 ? content : [.. content, .. rest.WrittenSpan];
                    }

                    rest.Advance(read);
                    if (content.Length + (long)rest.WrittenCount > MaxInputLength)
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

    // Too large is a property of the data, not a failure to read it: exit 65, as for any other input that cannot be firmware.
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
    /// half written. The same holds for in-place edits, whose output is their input. The encoder writes straight into
    /// the temporary file through a small buffer, so no copy of the whole output is held in memory, and each flush
    /// checks for cancellation.
    /// </summary>
    /// <remarks>
    /// A replaced file keeps its permission bits and, where the process may set them, its owner and group. A file the
    /// user could not write is refused (exit 73) even when its folder would allow the rename. A symbolic link is
    /// followed: the file it points to is replaced and the link stays a link. A file with several hard links is
    /// replaced under the name given; its other names keep the old content. A target that exists and is not a
    /// regular file (a device, a FIFO, a socket) is written directly instead, never replaced; a directory is refused.
    /// </remarks>
    /// <returns>How many bytes were written.</returns>
    public static async Task<long> WriteAtomicAsync(string path, Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        long written = 0;
        await WriteAtomicAsync(path, (stream, ct) => Task.Run(() =>
        {
            var writer = new StreamBufferWriter(stream, ct);
            write(writer);
            writer.Complete();
            written = writer.BytesWritten;
        }, ct), cancellationToken).ConfigureAwait(false);
        return written;
    }

    /// <summary>
    /// Runs a long computation (decoding or encoding a large file) on a worker thread, so that a cancellation (Ctrl+C,
    /// SIGTERM) ends the command at once rather than when the codec finishes: the work is abandoned and its result
    /// never written.
    /// </summary>
    public static Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
        => Task.Run(work, cancellationToken).WaitAsync(cancellationToken);

    /// <inheritdoc cref="WriteAtomicAsync(string, Action{IBufferWriter{byte}}, CancellationToken)"/>
    public static Task WriteAtomicAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        => WriteAtomicAsync(path, (stream, ct) => stream.WriteAsync(content, ct).AsTask(), cancellationToken);

    private static async Task WriteAtomicAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        string? temp = null;
        try
        {
            string full = ResolveTarget(path);
            PathKind kind = FileProbe.Probe(full);
            switch (kind)
            {
                case PathKind.Directory:
                    throw new CliException(ExitCodes.CannotCreate, "cannot create: is a directory", path);
                case PathKind.Special:
                    await WriteDirectAsync(full, write, cancellationToken).ConfigureAwait(false);
                    return;
                case PathKind.Regular:
                    CheckReplaceable(path, full);
                    break;
            }

            string directory = Path.GetDirectoryName(full) ?? throw new DirectoryNotFoundException($"no folder for {path}");
            temp = TemporaryName(directory);
            FileStream stream = Create(path, temp);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            if (kind == PathKind.Regular)
            {
                KeepIdentity(full, temp);
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                File.Move(temp, full, overwrite: true);
            }
            catch (IOException ex) when (!IsLocked(ex))
            {
                // The rename is what creates the name: a name too long for the file system cannot be created.
                throw new CliException(ExitCodes.CannotCreate, $"cannot create: {ex.Message}", path);
            }

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
    /// Gets the file a path stands for: its full path, with symbolic links followed to the final target (which need
    /// not exist yet). Two paths name the same file when this gives the same text.
    /// </summary>
    public static string ResolveTarget(string path)
    {
        string full = Path.GetFullPath(path);

        // Editing through a symbolic link changes the file it points to; the link stays a link.
        if (new FileInfo(full).LinkTarget is not null && File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target)
        {
            full = target.FullName;
        }

        return full;
    }

    // Creating the file is where "cannot create" (73) failures happen: a name too long, a read-only file system, a
    // path through a file. Failures while writing (a full disk) stay I/O errors (74).
    private static FileStream Create(string path, string temp)
    {
        try
        {
            return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true);
        }
        catch (IOException ex) when (!IsLocked(ex))
        {
            throw new CliException(ExitCodes.CannotCreate, $"cannot create: {ex.Message}", path);
        }
    }

    // A short name, so that an output whose own name is near the file-system limit (255 bytes) still has a temporary
    // file beside it; hidden, and unique enough for the few writers one folder sees.
    private static string TemporaryName(string directory)
        => Path.Combine(directory, $".dfusharp-{Random.Shared.Next():x8}.tmp");

    // The rename would replace a file even where the user may not write it (the folder allows it); refuse that, as
    // cp and editors do. Opening for writing without truncating asks the kernel, which knows about root, ACLs and
    // read-only mounts.
    private static void CheckReplaceable(string path, string full)
    {
        try
        {
            using var probe = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.CannotCreate, "cannot replace: the file is not writable for you (permission denied)", path);
        }
        catch (IOException ex) when (IsLocked(ex))
        {
            // Another dfusharp holds its --sim-state lock on the file: writable, and the lock is waited for elsewhere.
        }
        catch (IOException ex)
        {
            // A read-only file system, or a file that cannot be opened at all: it cannot be replaced either.
            throw new CliException(ExitCodes.CannotCreate, $"cannot replace: {ex.Message}", path);
        }
    }

    /// <summary>
    /// Tells whether opening a file failed only because another process holds a lock on it (flock(2) on Unix, which
    /// .NET takes for <see cref="FileShare.None"/>; a sharing violation on Windows).
    /// </summary>
    public static bool IsLocked(IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);

        // .NET reports EWOULDBLOCK from flock as a plain IOException whose HResult is the errno: 11 on Linux, 35 on
        // macOS and the BSDs; Windows reports ERROR_SHARING_VIOLATION.
        const int SharingViolation = unchecked((int)0x8007_0020);
        return exception.GetType() == typeof(IOException)
               && (OperatingSystem.IsWindows() ? exception.HResult == SharingViolation
                   : exception.HResult == (OperatingSystem.IsLinux() ? 11 : 35));
    }

    // The new file takes over the old one's permission bits and, where permitted (root, or a group the user is in),
    // its owner and group: a private file stays private, an executable stays executable.
    private static void KeepIdentity(string existing, string replacement)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(replacement, File.GetUnixFileMode(existing));
        if (FileProbe.Owner(existing) is { } owner && FileProbe.Owner(replacement) is { } created && owner != created)
        {
            // EPERM for a user who may not give the file away is expected: the file keeps the user as its owner.
            _ = ChangeOwner(replacement, owner.User, owner.Group);
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "chown", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int ChangeOwner(string path, uint user, uint group);

    /// <summary>
    /// Checks, before any device I/O, that an output file can be created: its folder exists and is not a file, and
    /// the target is not a directory, nor a file the user could not write. A command that reads a device for minutes
    /// must not fail only when it saves.
    /// </summary>
    public static void CheckWritable(string path)
    {
        try
        {
            string full = ResolveTarget(path);
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

            if (kind == PathKind.Regular)
            {
                CheckReplaceable(path, full);
            }

            if (kind == PathKind.Missing && System.Text.Encoding.UTF8.GetByteCount(Path.GetFileName(full)) > MaxNameBytes)
            {
                throw new CliException(ExitCodes.CannotCreate, $"cannot create: the name is longer than {MaxNameBytes} bytes, the file-system limit", path);
            }

            if (kind != PathKind.Special)
            {
                // The atomic write creates a temporary file in this folder; try that now (a folder such as /proc
                // exists but takes no new files).
                string probe = TemporaryName(directory);
                Create(path, probe).Dispose();
                TryDelete(probe);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException)
        {
            throw new CliFileException(path, FileRole.Output, ex);
        }
    }

    // A device, FIFO or socket cannot be renamed over: the bytes go to it as they are, and a short write
    // (ENOSPC from /dev/full) is reported, not hidden. Opening a FIFO blocks until a reader comes, and writing blocks
    // while the pipe is full; both run on a worker thread so that a cancellation (Ctrl+C, SIGTERM) ends the wait at
    // once. The blocked thread is left behind; the process is about to exit.
    private static async Task WriteDirectAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        Task work = Task.Run(async () =>
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0, useAsync: false);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken);
        await work.WaitAsync(cancellationToken).ConfigureAwait(false);
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
