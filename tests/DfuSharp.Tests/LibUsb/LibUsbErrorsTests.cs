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

    [Theory]
    [InlineData("Linux", "apt install libusb-1.0-0")]
    [InlineData("MacOS", "brew install libusb")]
    [InlineData("Windows", "libusb-1.0.dll")]
    public void MissingMessage_Platform_NamesWhatToInstall(string platform, string package)
    {
        string message = LibUsbLibrary.MissingMessage("loader said no", Enum.Parse<LibUsbPlatform>(platform), explicitPath: null);

        message.Should().StartWith("The libusb-1.0 library was not found.").And.Contain(package).And.EndWith("(loader said no)");
    }

    [Theory]
    [InlineData("Linux")]
    [InlineData("MacOS")]
    [InlineData("Windows")]
    public void MissingMessage_ExplicitPath_NamesThePathAndVariable(string platform)
    {
        string message = LibUsbLibrary.MissingMessage(null, Enum.Parse<LibUsbPlatform>(platform), "/nonexistent/libusb.so");

        message.Should().Contain("/nonexistent/libusb.so").And.Contain(LibUsbLibrary.PathVariable).And.NotContain("apt install");
    }

    [Theory]
    [InlineData("Linux")]
    [InlineData("MacOS")]
    [InlineData("Windows")]
    public void Candidates_ExplicitPath_IsTheOnlyCandidate(string platform)
        => LibUsbLibrary.Candidates(Enum.Parse<LibUsbPlatform>(platform), "/app", "/nonexistent").Should().Equal("/nonexistent");

    [Fact]
    public void Candidates_Linux_SystemSonameFirstThenBesideTheApplication()
        => LibUsbLibrary.Candidates(LibUsbPlatform.Linux, "/app", null)
            .Should().Equal("libusb-1.0.so.0", Path.Combine("/app", "libusb-1.0.so.0"), "libusb-1.0.so");

    [Fact]
    public void Candidates_MacOS_IncludesHomebrewPaths()
        => LibUsbLibrary.Candidates(LibUsbPlatform.MacOS, "/app", null)
            .Should().Contain(["/opt/homebrew/lib/libusb-1.0.0.dylib", "/usr/local/lib/libusb-1.0.0.dylib"]);
}
