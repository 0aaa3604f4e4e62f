using DfuSharp.LibUsb.Native;
using DfuSharp.Usb;

namespace DfuSharp.Tests.LibUsb;

public sealed class LibUsbErrorsTests
{
    [Theory]
    [InlineData(-1, UsbError.Io)]
    [InlineData(-2, UsbError.InvalidParameter)]
    [InlineData(-3, UsbError.Access)]
    [InlineData(-4, UsbError.NoDevice)]
    [InlineData(-6, UsbError.Busy)]
    [InlineData(-7, UsbError.Timeout)]
    [InlineData(-8, UsbError.Overflow)]
    [InlineData(-9, UsbError.Stall)]
    [InlineData(-10, UsbError.Io)]
    [InlineData(-12, UsbError.NotSupported)]
    [InlineData(-99, UsbError.Other)]
    public void ToUsbError_LibUsbCode_MapsToUsbError(int code, UsbError expected)
        => LibUsbErrors.ToUsbError(code).Should().Be(expected);

    [Fact]
    public void MissingMessage_Linux_NamesTheDebianPackage()
    {
        string message = LibUsbLibrary.MissingMessage(null);

        if (OperatingSystem.IsLinux())
        {
            message.Should().Contain("libusb-1.0-0");
        }
        else if (OperatingSystem.IsMacOS())
        {
            message.Should().Contain("brew install libusb");
        }
        else
        {
            message.Should().Contain("libusb-1.0.dll");
        }
    }
}
