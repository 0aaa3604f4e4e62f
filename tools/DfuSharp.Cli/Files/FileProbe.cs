using System.Runtime.InteropServices;

namespace DfuSharp.Cli.Files;

/// <summary>What a path names, as far as reading and writing firmware is concerned.</summary>
internal enum PathKind
{
    /// <summary>Nothing: the path does not exist.</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>Something else: a character or block device, a FIFO or a socket.</summary>
    Special,
}

/// <summary>
/// Tells regular files from devices, FIFOs and sockets. .NET has no public API for the Unix file type
/// (dotnet/runtime#85148), so on Unix this asks the runtime's own System.Native stat wrapper, which every .NET
/// process has loaded; elsewhere a path is a directory or a regular file.
/// </summary>
internal static partial class FileProbe
{
    // System.Native's FileStatus starts with int32 Flags, int32 Mode, uint32 Uid and uint32 Gid (pal_io.h); Mode carries
    // st_mode unchanged.
    private const int ModeOffset = 4;
    private const int UserOffset = 8;
    private const int GroupOffset = 12;
    private const int FileStatusBufferSize = 256;
    private const int TypeMask = 0xF000;
    private const int RegularType = 0x8000;
    private const int DirectoryType = 0x4000;

    // The native probe is trusted only once it has told a known regular file and a known directory apart correctly,
    // so a runtime whose FileStatus layout differs falls back to the BCL instead of refusing every input.
    private static readonly Lazy<bool> s_nativeProbeWorks = new(() =>
        Environment.ProcessPath is { } self
        && NativeProbe(self) == PathKind.Regular
        && NativeProbe(AppContext.BaseDirectory) == PathKind.Directory);

    /// <summary>Finds out what a path names, following symbolic links.</summary>
    public static PathKind Probe(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (s_nativeProbeWorks.Value && NativeProbe(path) is { } kind)
        {
            return kind;
        }

        return Directory.Exists(path) ? PathKind.Directory : File.Exists(path) ? PathKind.Regular : PathKind.Missing;
    }

    /// <summary>
    /// Finds the owner (user and group ids) of a file, following symbolic links, or <see langword="null"/> where that
    /// cannot be told (Windows, or a runtime whose status layout is not the one checked at start).
    /// </summary>
    public static (uint User, uint Group)? Owner(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsWindows() || !s_nativeProbeWorks.Value)
        {
            return null;
        }

        Span<byte> status = stackalloc byte[FileStatusBufferSize];
        return Stat(path, ref MemoryMarshal.GetReference(status)) == 0
            ? (BitConverter.ToUInt32(status[UserOffset..]), BitConverter.ToUInt32(status[GroupOffset..]))
            : null;
    }

    private static PathKind? NativeProbe(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            Span<byte> status = stackalloc byte[FileStatusBufferSize];
            if (Stat(path, ref MemoryMarshal.GetReference(status)) != 0)
            {
                return PathKind.Missing;
            }

            return (BitConverter.ToInt32(status[ModeOffset..]) & TypeMask) switch
            {
                RegularType => PathKind.Regular,
                DirectoryType => PathKind.Directory,
                _ => PathKind.Special,
            };
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // A single-file build links System.Native in statically; the caller falls back to what the BCL can tell.
            return null;
        }
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, ref byte status);
}
