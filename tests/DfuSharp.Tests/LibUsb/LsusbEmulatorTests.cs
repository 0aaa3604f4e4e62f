namespace DfuSharp.Tests.LibUsb;

/// <summary>lsusb (usbutils) lists the emulated boards and decodes their DFU functional descriptor.</summary>
[Collection(UsbEmulatorCollection.Name)]
[Trait("Category", "Emulator")]
public sealed class LsusbEmulatorTests() : EmulatorTestBase("dfusharp-lsusb-")
{
    [EmulatorTheory("lsusb")]
    [InlineData("stm32f4", "0483:df11", "Bus 001 Device 002: ID 0483:df11", "wTransferSize                    2048 bytes", "bcdDFUVersion                   1.1a")]
    [InlineData("dfu11", "1209:df11", "Bus 001 Device 002: ID 1209:df11", "wTransferSize                    1024 bytes", "bcdDFUVersion                   1.10")]
    public void Verbose_Profile_PrintsTheDfuFunctionalDescriptor(string profile, string id, string header, string transferSize, string version)
    {
        EmulatorResult result = UsbEmulator.Run(profile, $"lsusb -v -d {id}", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Process.StandardOutput.Should().Contain(header)
            .And.Contain("bInterfaceSubClass      1 Device Firmware Update")
            .And.Contain("Device Firmware Upgrade Interface Descriptor")
            .And.Contain(transferSize)
            .And.Contain(version);
    }
}
