using System.Reflection;
using System.Runtime.InteropServices;
using DfuSharp.Usb;

namespace DfuSharp.LibUsb.Native;

/// <summary>The operating systems whose libusb files and packages differ.</summary>
internal enum LibUsbPlatform
{
    /// <summary>Linux and other Unix systems with ELF shared objects.</summary>
    Linux,

    /// <summary>macOS.</summary>
    MacOS,

    /// <summary>Windows.</summary>
    Windows,
}

/// <summary>
/// Finds the libusb-1.0 shared library (one resolver for the whole assembly) and the entry points that only newer
/// libusb releases export.
/// </summary>
internal static unsafe class LibUsbLibrary
{
    /// <summary>Names a libusb file to load instead of searching (for unusual installs).</summary>
    public const string PathVariable = "DFUSHARP_LIBUSB_PATH";

    private static readonly Lock s_lock = new();
    private static bool s_registered;
    private static nint s_handle;
    private static string? s_failure;

    /// <summary>
    /// Gets a value indicating whether a fixed-argument call to a variadic C function passes its integer arguments
    /// correctly. Apple's arm64 ABI puts variadic arguments on the stack, so it does not.
    /// </summary>
    public static bool VariadicCallsAreSafe
        => !(OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.Arm64);

    /// <summary>Registers the resolver for <see cref="LibUsbNative.LibraryName"/> once per process.</summary>
    public static void EnsureResolverRegistered()
    {
        lock (s_lock)
        {
            if (s_registered)
            {
                return;
            }

            NativeLibrary.SetDllImportResolver(typeof(LibUsbLibrary).Assembly, Resolve);
            s_registered = true;
        }
    }

    /// <summary>Loads libusb, or explains what to install.</summary>
    /// <returns>The library handle.</returns>
    /// <exception cref="UsbTransportException">libusb is not installed (<see cref="UsbError.LibraryMissing"/>).</exception>
    public static nint Load()
    {
        lock (s_lock)
        {
            if (s_handle != 0)
            {
                return s_handle;
            }

            s_handle = TryLoad(out s_failure);
            if (s_handle == 0)
            {
                throw new UsbTransportException(UsbError.LibraryMissing, MissingMessage(s_failure, CurrentPlatform, ExplicitPath));
            }

            return s_handle;
        }
    }

    /// <summary>Finds an export that older libusb releases lack (for example libusb_init_context, 1.0.27).</summary>
    /// <param name="name">The entry point.</param>
    /// <returns>Its address, or 0.</returns>
    public static nint TryGetExport(string name)
        => NativeLibrary.TryGetExport(Load(), name, out nint address) ? address : 0;

    /// <summary>Gets the operating system this process runs on.</summary>
    public static LibUsbPlatform CurrentPlatform
        => OperatingSystem.IsWindows() ? LibUsbPlatform.Windows : OperatingSystem.IsMacOS() ? LibUsbPlatform.MacOS : LibUsbPlatform.Linux;

    /// <summary>The message for a missing library on this system, naming the package to install.</summary>
    /// <param name="detail">What the loader said, if anything.</param>
    /// <returns>The message.</returns>
    public static string MissingMessage(string? detail) => MissingMessage(detail, CurrentPlatform, ExplicitPath);

    /// <summary>The message for a missing library, naming the package per operating system.</summary>
    /// <param name="detail">What the loader said, if anything.</param>
    /// <param name="platform">The operating system.</param>
    /// <param name="explicitPath">The file <see cref="PathVariable"/> names, or <see langword="null"/>.</param>
    /// <returns>The message.</returns>
    public static string MissingMessage(string? detail, LibUsbPlatform platform, string? explicitPath)
    {
        string tail = detail is { Length: > 0 } ? $" ({detail})" : string.Empty;
        if (explicitPath is not null)
        {
            return $"The libusb-1.0 library {PathVariable} names could not be loaded: {explicitPath}. Point it at an existing libusb-1.0 file, or unset it to search the usual places.{tail}";
        }

        string install = platform switch
        {
            LibUsbPlatform.Windows
                => "Put libusb-1.0.dll (from https://libusb.info, the VS2022 x64 or arm64 build matching this process) beside the application.",
            LibUsbPlatform.MacOS
                => "Install it with Homebrew: brew install libusb (looked in /opt/homebrew/lib, /usr/local/lib and beside the application).",
            _ => "Install the libusb-1.0 runtime: on Debian or Ubuntu apt install libusb-1.0-0, on Fedora dnf install libusb1, on Arch pacman -S libusb.",
        };
        return $"The libusb-1.0 library was not found. {install}{tail}";
    }

    /// <summary>
    /// The files to try, in order. A path in <see cref="PathVariable"/> is the only candidate: asking for one library
    /// and silently getting another would hide a broken install.
    /// </summary>
    /// <param name="platform">The operating system.</param>
    /// <param name="beside">The application's folder.</param>
    /// <param name="explicitPath">The file <see cref="PathVariable"/> names, or <see langword="null"/>.</param>
    /// <returns>The candidates.</returns>
    public static IEnumerable<string> Candidates(LibUsbPlatform platform, string beside, string? explicitPath)
    {
        if (explicitPath is not null)
        {
            yield return explicitPath;
            yield break;
        }

        switch (platform)
        {
            case LibUsbPlatform.Windows:
                yield return Path.Combine(beside, "libusb-1.0.dll");
                yield return "libusb-1.0.dll";
                break;
            case LibUsbPlatform.MacOS:
                yield return Path.Combine(beside, "libusb-1.0.0.dylib");
                yield return "/opt/homebrew/lib/libusb-1.0.0.dylib";
                yield return "/usr/local/lib/libusb-1.0.0.dylib";
                yield return "/opt/local/lib/libusb-1.0.0.dylib";
                yield return "libusb-1.0.0.dylib";
                break;
            default:
                yield return "libusb-1.0.so.0";
                yield return Path.Combine(beside, "libusb-1.0.so.0");
                yield return "libusb-1.0.so";
                break;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibUsbNative.LibraryName)
        {
            return 0;
        }

        // Callers load explicitly first (LibUsbContext.Create) to get the typed error; here a miss falls through
        // to the runtime's own probing and its DllNotFoundException.
        lock (s_lock)
        {
            if (s_handle == 0)
            {
                s_handle = TryLoad(out s_failure);
            }

            return s_handle;
        }
    }

    private static nint TryLoad(out string? failure)
    {
        failure = null;
        foreach (string candidate in Candidates(CurrentPlatform, AppContext.BaseDirectory, ExplicitPath))
        {
            try
            {
                if (NativeLibrary.TryLoad(candidate, out nint handle))
                {
                    if (LacksLibUsbExports(handle) is { } missing)
                    {
                        // Another library under the name (a wrong DFUSHARP_LIBUSB_PATH) would fail at its first call
                        // with EntryPointNotFoundException; refuse it here, where the message can say why.
                        NativeLibrary.Free(handle);
                        failure = $"{candidate} is not libusb-1.0: it does not export {missing}";
                        continue;
                    }

                    return handle;
                }
            }
            catch (BadImageFormatException ex)
            {
                // A libusb built for another architecture (x64 beside an arm64 process) is worth reporting.
                failure = $"{candidate}: {ex.Message}";
            }
        }

        return 0;
    }

    /// <summary>Exports of libusb-1.0 (1.0.10 and later) that dfusharp calls first; a library without them is not libusb.</summary>
    internal static readonly string[] RequiredExports =
        ["libusb_init", "libusb_exit", "libusb_get_version", "libusb_get_device_list", "libusb_control_transfer"];

    private static string? LacksLibUsbExports(nint handle)
        => RequiredExports.FirstOrDefault(name => !NativeLibrary.TryGetExport(handle, name, out _));

    private static string? ExplicitPath
        => Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path ? path : null;
}
