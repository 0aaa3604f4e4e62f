using System.Text.Json;

namespace DfuSharp.Tests.LibUsb;

/// <summary>
/// The <c>dfusharp</c> command itself over libusb, against simulated devices on the Linux USB stack
/// (tools/usb-emulator): what it lists, flashes, reads back, erases, detaches, the exit codes of device faults, and
/// cross-checks with dfu-util through the command line.
/// </summary>
[Collection(UsbEmulatorCollection.Name)]
[Trait("Category", "Emulator")]
public sealed class CliEmulatorTests() : EmulatorTestBase("dfusharp-cli-usb-")
{
    private static JsonElement OnlyDevice(JsonElement list)
        => list.GetProperty("devices").EnumerateArray().Should().ContainSingle().Subject;

    [EmulatorFact]
    public void List_Stm32f4_ShowsTheEmulatedBoardInTextAndJson()
    {
        EmulatorResult result = UsbEmulator.Run("stm32f4", "$DFUSHARP list && $DFUSHARP list --json > list.json", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Contain("0483:df11 serial \"3276375B3034\" at 1-1 (dfu mode, \"STM32  BOOTLOADER\", bcdDevice 2200)")
            .And.Contain("intf 0 alt 0: @Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
        JsonElement listed = OnlyDevice(Json("list.json"));
        JsonElement device = listed.GetProperty("device");
        device.GetProperty("bus").GetInt32().Should().Be(1);
        device.GetProperty("path").GetString().Should().Be("1-1");
        device.GetProperty("mode").GetString().Should().Be("dfu");
        device.GetProperty("manufacturer").GetString().Should().Be("STMicroelectronics");
        listed.GetProperty("alternateSettings").GetArrayLength().Should().Be(4);
        listed.GetProperty("alternateSettings")[0].GetProperty("layout").GetProperty("name").GetString().Should().Be("Internal Flash");
    }

    [EmulatorFact]
    public void Info_Stm32f4_ReadsDescriptorStateAndDfuSeCommands()
    {
        EmulatorResult result = UsbEmulator.Run("stm32f4", "$DFUSHARP info --json > info.json", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        JsonElement info = Json("info.json");
        info.GetProperty("state").GetString().Should().Be("dfuIDLE");
        info.GetProperty("descriptor").GetProperty("transferSize").GetInt32().Should().Be(2048);
        info.GetProperty("descriptor").GetProperty("dfuSe").GetBoolean().Should().BeTrue();
        info.GetProperty("dfuSeCommands").EnumerateArray().Select(c => c.GetString())
            .Should().Equal("get-commands", "set-address", "erase", "read-unprotect");
    }

    [EmulatorTheory]
    [InlineData("stm32f4", "--address 0x08000000")]
    [InlineData("stm32f1-app", "--address 0x08003000")]
    [InlineData("dfu11", "")]
    public void DownloadVerifyThenUpload_Profile_ReadsBackTheImage(string profile, string address)
    {
        byte[] image = WriteImage("fw.bin", 40_000, seed: profile.Length);

        EmulatorResult result = UsbEmulator.Run(
            profile,
            $"$DFUSHARP download fw.bin {address} --verify --json > download.json && $DFUSHARP upload out.bin {address} --length 40000",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        JsonElement download = Json("download.json");
        download.GetProperty("writtenBytes").GetInt64().Should().Be(image.Length);
        download.GetProperty("verified").GetBoolean().Should().BeTrue();
        Read("out.bin").Should().Equal(image);
    }

    // The backup is the erase set: downloading it over libusb puts back every byte of every sector the download erased.
    [EmulatorTheory]
    [InlineData("stm32f4", "0x08000000", "0x08003F80", 0x2_0000)]
    [InlineData("stm32f1-app", "0x08003000", "0x08003C10", 0x1_0000)]
    public void DownloadWithBackupThenRestore_DfuSeProfile_BoardIsByteForByteAsBefore(string profile, string first, string second, int span)
    {
        WriteImage("first.bin", 20_000, seed: 51);
        WriteImage("second.bin", 100, seed: 52);

        EmulatorResult result = UsbEmulator.Run(
            profile,
            $"$DFUSHARP download first.bin --address {first} && $DFUSHARP upload before.bin --address 0x08003000 --length {span} && " +
            $"$DFUSHARP download second.bin --address {second} --backup backup.dfu && $DFUSHARP download backup.dfu --verify && " +
            $"$DFUSHARP upload after.bin --address 0x08003000 --length {span}",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Read("after.bin").Should().Equal(Read("before.bin"));
    }

    [EmulatorFact]
    public void EraseRangeThenDownloadWithLeave_Stm32f4_ErasesTheTouchedSectorAndTheBoardReenumerates()
    {
        byte[] image = WriteImage("fw.bin", 20_000, seed: 41);
        byte[] small = WriteImage("small.bin", 3_000, seed: 42);

        EmulatorResult result = UsbEmulator.Run(
            "stm32f4",
            "$DFUSHARP download fw.bin --address 0x08000000"
            + " && $DFUSHARP erase --address 0x08000000 --length 100 --json > erase.json"
            + " && $DFUSHARP upload out.bin --address 0x08000000 --length 20000"
            + " && $DFUSHARP download small.bin --address 0x08010000 --leave --json > leave.json"
            + " && $PROBE wait 0483:df11 5000"
            + " && $DFUSHARP upload small-out.bin --address 0x08010000 --length 3000",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Json("erase.json").GetProperty("erasedSectors").GetInt32().Should().Be(1);
        byte[] back = Read("out.bin");
        back[..16384].Should().OnlyContain(b => b == 0xFF, "the range touches sector 0 only");
        back[16384..].Should().Equal(image[16384..]);
        Json("leave.json").GetProperty("outcome").GetString().Should().BeOneOf("left", "disconnected");
        result.Counters["reenumerations"].Should().Be("1");
        Read("small-out.bin").Should().Equal(small);
    }

    [EmulatorFact]
    public void Detach_Runtime_ComesBackInDfuModeOverHotplug()
    {
        EmulatorResult result = UsbEmulator.Run("runtime", "$DFUSHARP detach --json > detach.json && $DFUSHARP list --json > list.json", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        JsonElement detach = Json("detach.json");
        detach.GetProperty("outcome").GetString().Should().Be("detached");
        detach.GetProperty("device").GetProperty("productId").GetInt32().Should().Be(0xDF11);
        detach.GetProperty("device").GetProperty("path").GetString().Should().Be("1-1");
        JsonElement listed = OnlyDevice(Json("list.json")).GetProperty("device");
        listed.GetProperty("mode").GetString().Should().Be("dfu");
        listed.GetProperty("path").GetString().Should().Be("1-1");
        result.Counters["reenumerations"].Should().Be("1");
    }

    [EmulatorFact]
    public void Detach_HidRuntime_OnlyWhenNamedThenItsBootloaderComesBack()
    {
        EmulatorResult result = UsbEmulator.Run(
            "hid-runtime",
            "$DFUSHARP detach; echo unnamed=$?; $DFUSHARP detach --device 0483:5750 --json > detach.json && $DFUSHARP list --json > list.json",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("unnamed").Should().Be("69", "an empty selector never picks a HID device");
        JsonElement detach = Json("detach.json");
        detach.GetProperty("outcome").GetString().Should().Be("detached");
        detach.GetProperty("device").GetProperty("productId").GetInt32().Should().Be(0xDF11);
        JsonElement listed = OnlyDevice(Json("list.json")).GetProperty("device");
        listed.GetProperty("productId").GetInt32().Should().Be(0xDF11);
        listed.GetProperty("path").GetString().Should().Be("1-1");
        result.Counters["reenumerations"].Should().Be("1");
    }

    [EmulatorFact]
    public void Download_HidRuntimeNamedByIdPairs_DetachesWritesAndVerifies()
    {
        byte[] image = WriteImage("fw.bin", 5_000, seed: 43);

        EmulatorResult result = UsbEmulator.Run(
            "hid-runtime",
            "$DFUSHARP download fw.bin --address 0x08000000 --verify --device 0483:5750,0483:df11 --json > download.json"
            + " && $DFUSHARP upload out.bin --address 0x08000000 --length 5000",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Json("download.json").GetProperty("verified").GetBoolean().Should().BeTrue();
        Read("out.bin").Should().Equal(image);
    }

    [EmulatorTheory]
    [InlineData("status-at-block:2:ErrWrite", 76, "errWRITE")]
    [InlineData("stall-at-block:2", 76, "LIBUSB_ERROR_PIPE")]
    [InlineData("corrupt-write", 76, "Verification failed at 0x")]
    [InlineData("disconnect-at-block:2", 74, "LIBUSB_ERROR_NO_DEVICE")]
    [InlineData("getstatus-never-answers:2", 74, "LIBUSB_ERROR_TIMEOUT")]
    public void Download_InjectedFault_ExitsWithItsCodeAndSaysWhy(string fault, int exitCode, string message)
    {
        WriteImage("fw.bin", 6_000, seed: 44);

        EmulatorResult result = UsbEmulator.Run("dfu11", "$DFUSHARP download fw.bin --verify", Dir, fault);

        result.Process.ExitCode.Should().Be(exitCode, result.ToString());
        result.Process.StandardError.Should().Contain(message);
        result.Process.StandardOutput.Should().BeEmpty("a failed download prints no summary");
    }

    [EmulatorFact("dfu-util")]
    public void CrossCheck_Stm32f4_EachHostReadsBackWhatTheOtherWrote()
    {
        byte[] sample = File.ReadAllBytes(TestPaths.InRepo("samples", "blinky-stm32f4.bin"));
        byte[] image = WriteImage("b.bin", 20_000, seed: 45);
        string dfu = TestPaths.InRepo("samples", "blinky-stm32f4.dfu");

        EmulatorResult result = UsbEmulator.Run(
            "stm32f4",
            $"dfu-util -a 0 -D '{dfu}' && $DFUSHARP upload a-out.bin --address 0x08000000 --length {sample.Length}"
            + " && $DFUSHARP download b.bin --address 0x08020000 && dfu-util -a 0 -s 0x08020000:20000 -U b-out.bin",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Read("a-out.bin").Should().Equal(sample);
        Read("b-out.bin").Should().Equal(image);
    }

    [EmulatorFact("dfu-util")]
    public void CrossCheck_Dfu11_EachHostReadsBackWhatTheOtherWrote()
    {
        byte[] first = WriteImage("a.bin", 7_000, seed: 46);
        byte[] second = WriteImage("b.bin", 5_000, seed: 47);

        EmulatorResult result = UsbEmulator.Run(
            "dfu11",
            "dfu-util -D a.bin && $DFUSHARP upload a-out.bin && $DFUSHARP download b.bin --verify && dfu-util -U b-out.bin",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Read("a-out.bin").Should().Equal(first);
        Read("b-out.bin").Should().Equal(second);
    }
}
