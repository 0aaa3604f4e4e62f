namespace DfuSharp.Tests.LibUsb;

/// <summary>ST's HID detach over libusb, against the hid-runtime profile on the Linux USB stack (tools/usb-emulator).</summary>
[Collection(UsbEmulatorCollection.Name)]
[Trait("Category", "Emulator")]
public sealed class HidEmulatorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dfusharp-hid-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [EmulatorFact]
    public void Enumerate_HidRuntime_HidInterfaceOnlyWithItsReportDescriptorLength()
    {
        EmulatorResult result = UsbEmulator.Run("hid-runtime", "$PROBE list", _dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("device").Should().Be("0483:5750 bcd=0200 path=1-1 address=2");
        result.Value("serial").Should().Be("3276375B3034");
        result.Value("hid").Should().Be("cfg 1 intf 0 alt 0 dfu none report-descriptor 48", "0x21 after a HID interface is not a DFU functional descriptor");
        result.Lines.Should().NotContain(l => l.StartsWith("dfu=", StringComparison.Ordinal));
    }

    [EmulatorFact("dfu-util")]
    public void Detach_HidRuntime_SendsTheReportAndFindsTheBootloaderAtTheSamePath()
    {
        EmulatorResult result = UsbEmulator.Run("hid-runtime", "$PROBE detach device=0483:5750,0483:df11 && dfu-util -l", _dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("hid-detach").Should().Be("id 80 Feature length 1");
        result.Value("mode").Should().Be("Dfu");
        result.Value("found").Should().Be("0483:df11 path=1-1 serial=3276375B3034");
        result.Counters["reenumerations"].Should().Be("1");
        result.Lines.Should().Contain(l => l.Contains("Found DFU: [0483:df11]", StringComparison.Ordinal) && l.Contains("path=\"1-1\"", StringComparison.Ordinal));
    }

    [EmulatorFact]
    public void Download_HidRuntime_DetachesThenWritesAndVerifies()
    {
        byte[] image = new byte[5_000];
        new Random(21).NextBytes(image);
        File.WriteAllBytes(Path.Combine(_dir, "fw.bin"), image);

        EmulatorResult result = UsbEmulator.Run(
            "hid-runtime",
            "$PROBE download fw.bin address=0x08000000 verify device=serial=3276375B3034 && $PROBE upload out.bin address=0x08000000 length=5000",
            _dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("verified").Should().Be("True");
        File.ReadAllBytes(Path.Combine(_dir, "out.bin")).Should().Equal(image);
    }

    [EmulatorFact]
    public void Detach_HidApplicationBesideABootloaderWithTheSameSerial_AmbiguousBySerialToldApartByPath()
    {
        EmulatorResult result = UsbEmulator.RunMany(
            ["hid-runtime", "stm32f4"],
            "$PROBE detach device=serial=3276375B3034; $PROBE detach device=path=1-1 && $PROBE list",
            _dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("error").Should().Be("DfuAmbiguousDeviceException");
        result.Value("message").Should().Contain("at 1-1 (HID application)").And.Contain("at 1-2 (Dfu mode)");
        result.Value("found").Should().Be("0483:df11 path=1-1 serial=3276375B3034");
        result.Lines.Where(l => l.StartsWith("device=", StringComparison.Ordinal)).Should().Equal(
            "device=0483:df11 bcd=2200 path=1-1 address=4",
            "device=0483:df11 bcd=2200 path=1-2 address=3");
    }

    [EmulatorFact]
    public void Open_NoSelectorWithOnlyAHidApplication_NotFound()
    {
        EmulatorResult result = UsbEmulator.Run("hid-runtime", "$PROBE status", _dir);

        result.Process.ExitCode.Should().Be(1, result.ToString());
        result.Value("error").Should().Be("DfuDeviceNotFoundException");
    }
}
