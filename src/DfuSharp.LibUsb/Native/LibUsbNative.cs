using System.Runtime.InteropServices;

namespace DfuSharp.LibUsb.Native;

/// <summary>
/// The libusb-1.0 entry points DfuSharp uses. Pointers to libusb objects travel as <see cref="nint"/> here; the
/// <see cref="SafeHandle"/> wrappers in this folder own them. Strings returned by libusb (<c>const char*</c>) belong
/// to libusb and are read with <see cref="Marshal.PtrToStringUTF8(nint)"/>, never freed.
/// </summary>
internal static unsafe partial class LibUsbNative
{
    /// <summary>The logical library name; <see cref="LibUsbLibrary"/> maps it to a file per platform.</summary>
    public const string LibraryName = "libusb-1.0";

    public const int Success = 0;
    public const int ErrorIo = -1;
    public const int ErrorInvalidParameter = -2;
    public const int ErrorAccess = -3;
    public const int ErrorNoDevice = -4;
    public const int ErrorNotFound = -5;
    public const int ErrorBusy = -6;
    public const int ErrorTimeout = -7;
    public const int ErrorOverflow = -8;
    public const int ErrorPipe = -9;
    public const int ErrorInterrupted = -10;
    public const int ErrorNoMemory = -11;
    public const int ErrorNotSupported = -12;
    public const int ErrorOther = -99;

    /// <summary>LIBUSB_CAP_HAS_HOTPLUG.</summary>
    public const uint CapabilityHotplug = 0x0001;

    /// <summary>LIBUSB_CAP_SUPPORTS_DETACH_KERNEL_DRIVER.</summary>
    public const uint CapabilityDetachKernelDriver = 0x0101;

    /// <summary>LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.</summary>
    public const int HotplugDeviceArrived = 0x01;

    /// <summary>LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.</summary>
    public const int HotplugDeviceLeft = 0x02;

    /// <summary>LIBUSB_HOTPLUG_MATCH_ANY.</summary>
    public const int HotplugMatchAny = -1;

    /// <summary>LIBUSB_OPTION_LOG_LEVEL.</summary>
    public const int OptionLogLevel = 0;

    /// <summary>The most port numbers a USB 3.0 topology can have (libusb_get_port_numbers).</summary>
    public const int MaxPortDepth = 7;

    static LibUsbNative() => LibUsbLibrary.EnsureResolverRegistered();

    [LibraryImport(LibraryName, EntryPoint = "libusb_init")]
    public static partial int Init(out nint context);

    [LibraryImport(LibraryName, EntryPoint = "libusb_exit")]
    public static partial void Exit(nint context);

    /// <summary>
    /// libusb_set_option is variadic. This fixed-argument declaration is only correct where variadic and fixed
    /// integer arguments travel the same way (x64, 32-bit ARM, Linux/Windows arm64), not on Apple arm64:
    /// callers check <see cref="LibUsbLibrary.VariadicCallsAreSafe"/> first.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "libusb_set_option")]
    public static partial int SetOption(nint context, int option, int value);

    [LibraryImport(LibraryName, EntryPoint = "libusb_get_version")]
    public static partial LibUsbVersionNative* GetVersion();

    [LibraryImport(LibraryName, EntryPoint = "libusb_has_capability")]
    public static partial int HasCapability(uint capability);

    [LibraryImport(LibraryName, EntryPoint = "libusb_error_name")]
    public static partial nint ErrorName(int errorCode);

    [LibraryImport(LibraryName, EntryPoint = "libusb_strerror")]
    public static partial nint StrError(int errorCode);

    [LibraryImport(LibraryName, EntryPoint = "libusb_get_device_list")]
    public static partial nint GetDeviceList(nint context, out nint list);

    [LibraryImport(LibraryName, EntryPoint = "libusb_free_device_list")]
    public static partial void FreeDeviceList(nint list, int unrefDevices);

    [LibraryImport(LibraryName, EntryPoint = "libusb_ref_device")]
    public static partial nint RefDevice(nint device);

    [LibraryImport(LibraryName, EntryPoint = "libusb_unref_device")]
    public static partial void UnrefDevice(nint device);

    [LibraryImport(LibraryName, EntryPoint = "libusb_get_device_descriptor")]
    public static partial int GetDeviceDescriptor(nint device, out LibUsbDeviceDescriptor descriptor);

    [LibraryImport(LibraryName, EntryPoint = "libusb_get_active_config_descriptor")]
    public static partial int GetActiveConfigDescriptor(nint device, out nint config);

    [LibraryImport(LibraryName, EntryPoint = "libusb_get_config_descriptor")]
    public static partial int GetConfigDescriptor(nint device, byte configIndex, out nint config);

    [LibraryImport(LibraryName, EntryPoint = "libusb_free_config_descriptor")]
    public static partial void FreeConfigDescriptor(nint config);

    [LibraryImport(LibraryName, EntryPoint = "libusb_get_bus_number")]
    public static partial byte GetBusNumber(nint device);

    [LibraryImport(LibraryName, EntryPoint = "libusb_get_port_numbers")]
    public static partial int GetPortNumbers(nint device, byte* portNumbers, int portNumbersLength);

    [LibraryImport(LibraryName, EntryPoint = "libusb_get_device_address")]
    public static partial byte GetDeviceAddress(nint device);

    [LibraryImport(LibraryName, EntryPoint = "libusb_open")]
    public static partial int Open(nint device, out nint handle);

    [LibraryImport(LibraryName, EntryPoint = "libusb_close")]
    public static partial void Close(nint handle);

    [LibraryImport(LibraryName, EntryPoint = "libusb_claim_interface")]
    public static partial int ClaimInterface(nint handle, int interfaceNumber);

    [LibraryImport(LibraryName, EntryPoint = "libusb_release_interface")]
    public static partial int ReleaseInterface(nint handle, int interfaceNumber);

    [LibraryImport(LibraryName, EntryPoint = "libusb_set_interface_alt_setting")]
    public static partial int SetInterfaceAltSetting(nint handle, int interfaceNumber, int alternateSetting);

    [LibraryImport(LibraryName, EntryPoint = "libusb_kernel_driver_active")]
    public static partial int KernelDriverActive(nint handle, int interfaceNumber);

    [LibraryImport(LibraryName, EntryPoint = "libusb_detach_kernel_driver")]
    public static partial int DetachKernelDriver(nint handle, int interfaceNumber);

    [LibraryImport(LibraryName, EntryPoint = "libusb_set_auto_detach_kernel_driver")]
    public static partial int SetAutoDetachKernelDriver(nint handle, int enable);

    [LibraryImport(LibraryName, EntryPoint = "libusb_control_transfer")]
    public static partial int ControlTransfer(
        nint handle, byte requestType, byte request, ushort value, ushort index, byte* data, ushort length, uint timeoutMilliseconds);

    [LibraryImport(LibraryName, EntryPoint = "libusb_reset_device")]
    public static partial int ResetDevice(nint handle);

    [LibraryImport(LibraryName, EntryPoint = "libusb_hotplug_register_callback")]
    public static partial int HotplugRegisterCallback(
        nint context, int events, int flags, int vendorId, int productId, int deviceClass,
        delegate* unmanaged<nint, nint, int, nint, int> callback, nint userData, out int callbackHandle);

    [LibraryImport(LibraryName, EntryPoint = "libusb_hotplug_deregister_callback")]
    public static partial void HotplugDeregisterCallback(nint context, int callbackHandle);

    [LibraryImport(LibraryName, EntryPoint = "libusb_handle_events_timeout_completed")]
    public static partial int HandleEventsTimeoutCompleted(nint context, ref TimeValue timeout, int* completed);
}

/// <summary>struct timeval: C <c>long</c> fields, which are 32-bit on Windows and pointer-sized elsewhere.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TimeValue
{
    public CLong Seconds;
    public CLong Microseconds;

    public static TimeValue FromMilliseconds(int milliseconds)
        => new() { Seconds = new CLong(milliseconds / 1000), Microseconds = new CLong(milliseconds % 1000 * 1000) };
}
