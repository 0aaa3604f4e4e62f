using System.Runtime.InteropServices;

namespace DfuSharp.LibUsb.Native;

/// <summary>A libusb_context; released by libusb_exit once every child handle is gone.</summary>
internal sealed class LibUsbContextHandle : SafeHandle
{
    public LibUsbContextHandle()
        : base(0, ownsHandle: true)
    {
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>Wraps a context libusb just created.</summary>
    /// <param name="context">The libusb_context pointer.</param>
    /// <returns>The owning handle.</returns>
    public static LibUsbContextHandle FromNative(nint context)
    {
        var result = new LibUsbContextHandle();
        result.SetHandle(context);
        return result;
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        LibUsbNative.Exit(handle);
        return true;
    }
}

/// <summary>
/// A handle that belongs to a context: it holds a reference on the context from creation to release, so that
/// libusb_exit always runs after the child's own release function, whatever order the finalizers take.
/// </summary>
internal abstract class LibUsbChildHandle : SafeHandle
{
    private readonly LibUsbContextHandle _context;

    protected LibUsbChildHandle(LibUsbContextHandle context, nint value)
        : base(0, ownsHandle: true)
    {
        _context = context;
        bool added = false;
        context.DangerousAddRef(ref added);
        SetHandle(value);
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>Gets the context this handle keeps alive.</summary>
    public LibUsbContextHandle Context => _context;

    /// <inheritdoc/>
    protected sealed override bool ReleaseHandle()
    {
        try
        {
            ReleaseNative(handle);
        }
        finally
        {
            _context.DangerousRelease();
        }

        return true;
    }

    /// <summary>Frees the native object.</summary>
    /// <param name="value">The pointer.</param>
    protected abstract void ReleaseNative(nint value);
}

/// <summary>A referenced libusb_device; released by libusb_unref_device.</summary>
internal sealed class LibUsbDeviceHandle : LibUsbChildHandle
{
    private LibUsbDeviceHandle(LibUsbContextHandle context, nint device)
        : base(context, device)
    {
    }

    /// <summary>Takes a new reference on a device from a device list.</summary>
    /// <param name="context">The context of the list.</param>
    /// <param name="device">The libusb_device pointer.</param>
    /// <returns>The owning handle.</returns>
    public static LibUsbDeviceHandle AddRef(LibUsbContextHandle context, nint device)
        => new(context, LibUsbNative.RefDevice(device));

    /// <inheritdoc/>
    protected override void ReleaseNative(nint value) => LibUsbNative.UnrefDevice(value);
}

/// <summary>The array from libusb_get_device_list; freed (and its devices unreferenced) by libusb_free_device_list.</summary>
internal sealed class LibUsbDeviceListHandle : LibUsbChildHandle
{
    private LibUsbDeviceListHandle(LibUsbContextHandle context, nint list, int count)
        : base(context, list)
        => Count = count;

    /// <summary>Gets the number of devices in the list.</summary>
    public int Count { get; }

    /// <summary>Lists the devices of a context.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The list.</returns>
    /// <exception cref="DfuSharp.Usb.UsbTransportException">libusb could not list the devices.</exception>
    public static LibUsbDeviceListHandle Create(LibUsbContextHandle context)
    {
        bool added = false;
        context.DangerousAddRef(ref added);
        try
        {
            nint count = LibUsbNative.GetDeviceList(context.DangerousGetHandle(), out nint list);
            LibUsbErrors.Check((int)Math.Min(count, 0), "Listing USB devices");
            return new LibUsbDeviceListHandle(context, list, (int)count);
        }
        finally
        {
            context.DangerousRelease();
        }
    }

    /// <summary>Gets the libusb_device pointer at <paramref name="index"/>; valid while this list is alive.</summary>
    /// <param name="index">0 to <see cref="Count"/> - 1.</param>
    /// <returns>The device pointer.</returns>
    public nint this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return Marshal.ReadIntPtr(handle, index * IntPtr.Size);
        }
    }

    /// <inheritdoc/>
    protected override void ReleaseNative(nint value) => LibUsbNative.FreeDeviceList(value, unrefDevices: 1);
}

/// <summary>An open libusb_device_handle; released by libusb_close.</summary>
internal sealed class LibUsbOpenHandle : LibUsbChildHandle
{
    private LibUsbOpenHandle(LibUsbContextHandle context, nint handle)
        : base(context, handle)
    {
    }

    /// <summary>Opens a device.</summary>
    /// <param name="device">The device.</param>
    /// <param name="description">The device's name for messages.</param>
    /// <returns>The open handle.</returns>
    /// <exception cref="DfuSharp.Usb.UsbTransportException">libusb could not open it.</exception>
    public static LibUsbOpenHandle Open(LibUsbDeviceHandle device, string description)
    {
        bool added = false;
        device.DangerousAddRef(ref added);
        try
        {
            LibUsbErrors.Check(LibUsbNative.Open(device.DangerousGetHandle(), out nint opened), $"Opening {description}");
            return new LibUsbOpenHandle(device.Context, opened);
        }
        finally
        {
            device.DangerousRelease();
        }
    }

    /// <inheritdoc/>
    protected override void ReleaseNative(nint value) => LibUsbNative.Close(value);
}

/// <summary>A libusb_config_descriptor; freed by libusb_free_config_descriptor.</summary>
internal sealed class LibUsbConfigDescriptorHandle : SafeHandle
{
    private LibUsbConfigDescriptorHandle(nint config)
        : base(0, ownsHandle: true)
        => SetHandle(config);

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>Reads configuration <paramref name="index"/> of a device (libusb caches it; no I/O on most platforms).</summary>
    /// <param name="device">A libusb_device pointer kept alive by the caller.</param>
    /// <param name="index">The configuration index (not bConfigurationValue).</param>
    /// <param name="description">The device's name for messages.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="DfuSharp.Usb.UsbTransportException">libusb could not read it.</exception>
    public static LibUsbConfigDescriptorHandle Get(nint device, byte index, string description)
    {
        LibUsbErrors.Check(LibUsbNative.GetConfigDescriptor(device, index, out nint config), $"Reading configuration {index} of {description}");
        return new LibUsbConfigDescriptorHandle(config);
    }

    /// <summary>Gets the descriptor's address, valid while this handle is alive.</summary>
    public nint Pointer => handle;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        LibUsbNative.FreeConfigDescriptor(handle);
        return true;
    }
}
