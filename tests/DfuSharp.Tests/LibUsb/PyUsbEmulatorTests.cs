using System.Globalization;

namespace DfuSharp.Tests.LibUsb;

/// <summary>
/// pyusb (Debian python3-usb, over libusb) against the emulated boards: it finds the board, reads its descriptors and
/// strings, and gets a DFU_GETSTATUS answer, as a test script for any DFU project would.
/// </summary>
[Collection(UsbEmulatorCollection.Name)]
[Trait("Category", "Emulator")]
public sealed class PyUsbEmulatorTests() : EmulatorTestBase("dfusharp-pyusb-")
{
    private const string Script = """
        import sys
        import usb.core
        import usb.util

        vid, pid = (int(x, 16) for x in sys.argv[1].split(":"))
        dev = usb.core.find(idVendor=vid, idProduct=pid)
        if dev is None:
            sys.exit("no device " + sys.argv[1])
        print("bcdDevice=%04x" % dev.bcdDevice)
        print("manufacturer=%s" % usb.util.get_string(dev, dev.iManufacturer))
        cfg = dev.get_active_configuration()
        print("wTotalLength=%d" % cfg.wTotalLength)
        alts = [i for i in cfg if i.bInterfaceClass == 0xFE and i.bInterfaceSubClass == 0x01]
        print("alts=%d" % len(alts))
        print("alt0=%s" % usb.util.get_string(dev, alts[0].iInterface))
        extra = b"".join(bytes(i.extra_descriptors) for i in alts)
        at = extra.find(bytes([9, 0x21]))
        print("functional=%s" % extra[at:at + 9].hex())
        usb.util.claim_interface(dev, alts[0].bInterfaceNumber)
        status = dev.ctrl_transfer(0xA1, 0x03, 0, alts[0].bInterfaceNumber, 6, timeout=1000)
        print("getstatus=%s" % bytes(status).hex())
        usb.util.release_interface(dev, alts[0].bInterfaceNumber)
        usb.util.dispose_resources(dev)
        """;

    [EmulatorTheory(PythonModule = "usb")]
    [InlineData("stm32f4", "0483:df11", "2200", "STMicroelectronics", 54, 4, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg", "09210bff0000081a01")]
    [InlineData("dfu11", "1209:df11", "0100", "DfuSharp", 27, 1, "Flash", "092107e80300041001")]
    public void FindDescriptorsGetStatus_Profile_ReadsTheBoardAndItsIdleState(
        string profile, string id, string bcdDevice, string manufacturer, int totalLength, int alts, string alt0, string functional)
    {
        File.WriteAllText(Path.Combine(Dir, "dfu_status.py"), Script);
        string python = PeerTools.FindPython("usb")!;

        EmulatorResult result = UsbEmulator.Run(profile, $"{python} dfu_status.py {id}", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("bcdDevice").Should().Be(bcdDevice);
        result.Value("manufacturer").Should().Be(manufacturer);
        result.Value("wTotalLength").Should().Be(totalLength.ToString(CultureInfo.InvariantCulture));
        result.Value("alts").Should().Be(alts.ToString(CultureInfo.InvariantCulture));
        result.Value("alt0").Should().Be(alt0);
        result.Value("functional").Should().Be(functional, "DFU 1.1 §4.2.4: the functional descriptor follows the interface descriptors");
        result.Value("getstatus").Should().Be("000000000200", "DFU 1.1 §6.1.2: bStatus OK, no poll timeout, dfuIDLE, no string");
    }
}
