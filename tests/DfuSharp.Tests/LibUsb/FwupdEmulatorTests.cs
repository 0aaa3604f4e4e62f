using System.Text.Json;

namespace DfuSharp.Tests.LibUsb;

/// <summary>
/// fwupd's own tool, <c>fwupdtool --plugins dfu</c> (no daemon), against the emulated boards. Every run keeps fwupd's
/// state and its instance lock in the working folder (FWUPD_LOCALSTATEDIR, FWUPD_LOCKDIR) and stays off the system
/// bus, so it neither reads nor changes the machine's fwupd, nor waits for another fwupdtool.
/// </summary>
[Collection(UsbEmulatorCollection.Name)]
[Trait("Category", "Emulator")]
public sealed class FwupdEmulatorTests() : EmulatorTestBase("dfusharp-fwupd-")
{
    private const string Environment =
        "export FWUPD_LOCALSTATEDIR=\"$PWD/fwupd-state\" FWUPD_LOCKDIR=\"$PWD\" DBUS_SYSTEM_BUS_ADDRESS=\"unix:path=$PWD/no-bus\" && ";

    /// <summary>
    /// fwupd 2.0 reads the interfaces from sysfs and takes the descriptor right after each DFU interface as its
    /// functional descriptor (libfwupdplugin/fu-usb-device.c, fu_usb_device_parse_descriptor). ST's bootloader puts
    /// one functional descriptor after the last alternate setting (DFU 1.1 §4.2.4 allows it), so fwupd misses it and
    /// falls back to 64-byte blocks, while the bootloader places block N at (N − 2) × its wTransferSize (2048) from
    /// the address pointer. fwupd's quirk database is the place for such device facts.
    /// </summary>
    private const string Stm32TransferSizeQuirk = "[USB\\VID_0483&PID_DF11]\nDfuForceTransferSize = 0x800\n";

    [EmulatorTheory("fwupdtool")]
    [InlineData("stm32f4", "STM32 BOOTLOADER", "22.0", "com.st.dfuse", "5aea1200-2286-5819-93e6-3b5548b6c88a")]
    [InlineData("dfu11", "DFU 1.1 test device", "1.0", "org.usb.dfu", "ed6bee70-54c1-5ff1-a642-624cb0d1ec90")]
    public void GetDevices_Profile_ListsTheBoardWithVersionAndGuid(string profile, string name, string version, string protocol, string instanceGuid)
    {
        EmulatorResult result = UsbEmulator.Run(
            profile, Environment + "fwupdtool --plugins dfu get-devices --json </dev/null > devices.json", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        JsonElement device = Json("devices.json").GetProperty("Devices").EnumerateArray().Should().ContainSingle().Subject;
        device.GetProperty("Name").GetString().Should().Be(name);
        device.GetProperty("Version").GetString().Should().Be(version);
        device.GetProperty("Protocols").EnumerateArray().Select(p => p.GetString()).Should().Equal(protocol);
        device.GetProperty("Guid").EnumerateArray().Select(g => g.GetString()).Should().Contain(instanceGuid, "fwupd derives it from USB\\VID_xxxx&PID_xxxx");
        device.GetProperty("Flags").EnumerateArray().Select(f => f.GetString()).Should().Contain(["updatable", "is-bootloader"]);
    }

    [EmulatorFact("fwupdtool")]
    public void InstallBlob_Stm32f4_WritesWhatDfuSharpReadsBack()
    {
        byte[] image = WriteImage("fw.bin", 30_000, seed: 31);
        string quirks = Path.Combine(Dir, "fwupd-state", "lib", "fwupd", "quirks.d");
        Directory.CreateDirectory(quirks);
        File.WriteAllText(Path.Combine(quirks, "stm32-bootloader.quirk"), Stm32TransferSizeQuirk);

        EmulatorResult result = UsbEmulator.Run(
            "stm32f4",
            Environment
            + "$DFUSHARP file convert fw.bin fw.dfu --address 0x08000000 "
            + "&& id=$(fwupdtool --plugins dfu get-devices --json </dev/null | sed -n 's/.*\"DeviceId\" : \"\\([0-9a-f]*\\)\".*/\\1/p') "
            + "&& fwupdtool --plugins dfu install-blob fw.dfu \"$id\" --force --no-reboot-check </dev/null "
            + "&& $PROBE wait 0483:df11 5000 && $DFUSHARP upload out.bin --device 0483:df11 --address 0x08000000 --length 30000",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Counters["reenumerations"].Should().Be("1", "fwupd leaves DFU mode after the write, as ST's bootloader does on request");
        Read("out.bin").Should().Equal(image);
    }
}
