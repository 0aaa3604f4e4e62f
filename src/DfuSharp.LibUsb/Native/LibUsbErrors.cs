using System.Runtime.InteropServices;
using DfuSharp.Usb;

namespace DfuSharp.LibUsb.Native;

/// <summary>The one place where libusb error codes become <see cref="UsbTransportException"/>.</summary>
internal static class LibUsbErrors
{
    /// <summary>Maps a libusb error code to a <see cref="UsbError"/>.</summary>
    /// <param name="code">A negative libusb_error value.</param>
    /// <returns>The kind of failure.</returns>
    public static UsbError ToUsbError(int code) => code switch
    {
        LibUsbNative.ErrorIo => UsbError.Io,
        LibUsbNative.ErrorInvalidParameter => UsbError.InvalidParameter,
        LibUsbNative.ErrorAccess => UsbError.Access,
        LibUsbNative.ErrorNoDevice => UsbError.NoDevice,
        LibUsbNative.ErrorBusy => UsbError.Busy,
        LibUsbNative.ErrorTimeout => UsbError.Timeout,
        LibUsbNative.ErrorOverflow => UsbError.Overflow,
        LibUsbNative.ErrorPipe => UsbError.Stall,
        LibUsbNative.ErrorInterrupted => UsbError.Io,
        LibUsbNative.ErrorNotSupported => UsbError.NotSupported,
        _ => UsbError.Other,
    };

    /// <summary>Throws when <paramref name="code"/> is negative.</summary>
    /// <param name="code">A libusb return value.</param>
    /// <param name="operation">What was attempted, for the message ("claiming interface 0 of 0483:df11 at 1-1").</param>
    /// <returns><paramref name="code"/> when it is not an error.</returns>
    /// <exception cref="UsbTransportException"><paramref name="code"/> is a libusb error.</exception>
    public static int Check(int code, string operation)
        => code < 0 ? throw Create(code, operation) : code;

    /// <summary>Builds the exception for a libusb error code.</summary>
    /// <param name="code">A negative libusb_error value.</param>
    /// <param name="operation">What was attempted.</param>
    /// <returns>The exception.</returns>
    public static UsbTransportException Create(int code, string operation)
    {
        UsbError error = ToUsbError(code);
        string message = $"{operation} failed: {Describe(code)}.{Hint(error)}";
        return new UsbTransportException(error, message);
    }

    /// <summary>The libusb name and text of an error code, read from libusb's own static strings.</summary>
    /// <param name="code">A libusb_error value.</param>
    /// <returns>For example <c>LIBUSB_ERROR_PIPE (Pipe error)</c>.</returns>
    public static string Describe(int code)
    {
        string name = Marshal.PtrToStringUTF8(LibUsbNative.ErrorName(code)) ?? $"libusb error {code}";
        string? text = null;
        try
        {
            text = Marshal.PtrToStringUTF8(LibUsbNative.StrError(code));
        }
        catch (EntryPointNotFoundException)
        {
            // libusb_strerror appeared in 1.0.16; the name alone still identifies the error.
        }

        return text is { Length: > 0 } ? $"{name} ({text})" : name;
    }

    private static string Hint(UsbError error) => error switch
    {
        UsbError.Access when OperatingSystem.IsLinux()
            => " Install the udev rule from tools/udev (or run as root) so that your user may open DFU devices.",
        UsbError.Access or UsbError.NotSupported when OperatingSystem.IsWindows()
            => " On Windows the device needs the WinUSB driver (install it with Zadig, or give the firmware WCID descriptors).",
        UsbError.Busy
            => " Another program or driver holds the device; close it and try again.",
        _ => string.Empty,
    };
}
