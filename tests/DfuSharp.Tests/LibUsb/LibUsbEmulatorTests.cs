namespace DfuSharp.Tests.LibUsb;

/// <summary>DfuSharp over libusb against simulated devices on the Linux USB stack (tools/usb-emulator).</summary>
[Collection(UsbEmulatorCollection.Name)]
[Trait("Category", "Emulator")]
public sealed class LibUsbEmulatorTests() : EmulatorTestBase("dfusharp-libusb-")
{
    [EmulatorFact]
    public void Enumerate_Stm32f4_ListsDfuSeSettingsStringsAndPath()
    {
        EmulatorResult result = UsbEmulator.Run("stm32f4", "$PROBE list", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("device").Should().Be("0483:df11 bcd=2200 path=1-1 address=2");
        result.Value("product").Should().Be("STM32  BOOTLOADER");
        result.Value("serial").Should().NotBeNullOrEmpty();
        result.Lines.Where(l => l.StartsWith("dfu=", StringComparison.Ordinal)).Should().HaveCount(4)
            .And.Contain("dfu=cfg 1 intf 0 alt 0 mode Dfu attrs 0b transfer 2048 version 011a name \"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg\"");
    }

    [EmulatorFact]
    public void Enumerate_FunctionalDescriptorMissingFromConfiguration_AsksForItWithGetDescriptor()
    {
        EmulatorResult result = UsbEmulator.RunWithProbeModel(
            "model dfu11 no-functional",
            "$PROBE list",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        File.ReadAllText(Path.Combine(Dir, "functional-descriptor-requests.txt")).Should().StartWith("GET_DESCRIPTOR 0x21");
        result.Value("dfu").Should().Be("cfg 1 intf 0 alt 0 mode Dfu attrs 07 transfer 1024 version 0110 name \"Flash\"");
    }

    [EmulatorFact]
    public void Enumerate_Gd32StyleUtf8Serial_DecodesTheSerial()
    {
        EmulatorResult result = UsbEmulator.RunWithProbeModel("model stm32f4 utf8-serial", "$PROBE list", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("serial").Should().Be("3276375B3034");
        result.Value("product").Should().Be("STM32  BOOTLOADER");
    }

    [EmulatorTheory]
    [InlineData("dfu11", "1209:df11", "Dfu")]
    [InlineData("stm32f1-app", "1209:db42", "Dfu")]
    [InlineData("runtime", "1209:df10", "Runtime")]
    public void Enumerate_Profile_ShowsItsDfuInterface(string profile, string vidPid, string mode)
    {
        EmulatorResult result = UsbEmulator.Run(profile, "$PROBE list", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("device").Should().StartWith(vidPid + " ");
        result.Value("dfu").Should().Contain($"mode {mode}");
    }

    [EmulatorFact]
    public void DownloadVerify_Stm32f4_UploadReturnsTheSameBytes()
    {
        byte[] image = WriteImage("fw.bin", 40_000, seed: 1);

        EmulatorResult result = UsbEmulator.Run(
            "stm32f4",
            "$PROBE download fw.bin address=0x08000000 verify && $PROBE upload out.bin address=0x08000000 length=40000",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("verified").Should().Be("True");
        Read("out.bin").Should().Equal(image);
    }

    [EmulatorFact]
    public void DownloadVerify_Dfu11_UploadReturnsTheImage()
    {
        byte[] image = WriteImage("fw.bin", 9_000, seed: 2);

        EmulatorResult result = UsbEmulator.Run("dfu11", "$PROBE download fw.bin verify && $PROBE upload out.bin", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("verified").Should().Be("True");
        Read("out.bin").Should().Equal(image);
    }

    [EmulatorFact]
    public void MassErase_Stm32f4_LeavesWrittenFlashErased()
    {
        WriteImage("fw.bin", 4_096, seed: 3);

        EmulatorResult result = UsbEmulator.Run(
            "stm32f4",
            "$PROBE download fw.bin address=0x08000000 && $PROBE mass-erase && $PROBE upload out.bin address=0x08000000 length=4096",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Read("out.bin").Should().HaveCount(4_096).And.OnlyContain(b => b == 0xFF);
    }

    [EmulatorFact]
    public void Leave_Stm32f4_DeviceLeavesAndReenumerates()
    {
        EmulatorResult result = UsbEmulator.Run("stm32f4", "$PROBE leave address=0x08000000 && $PROBE wait 0483:df11 5000", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("outcome").Should().BeOneOf("Left", "Disconnected");
        result.Value("found").Should().StartWith("0483:df11 path=1-1 address=3");
        result.Counters["reenumerations"].Should().Be("1");
    }

    [EmulatorFact]
    public void Detach_Runtime_ComesBackInDfuModeWithSameSerialAndPath()
    {
        EmulatorResult result = UsbEmulator.Run("runtime", "$PROBE detach", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("hotplug").Should().Be("True");
        result.Value("mode").Should().Be("Dfu");
        result.Value("found").Should().Be("1209:df11 path=1-1 serial=DFU11-000001");
        result.Counters["reenumerations"].Should().Be("1");
    }

    [EmulatorFact]
    public void Detach_RuntimeWithPollingInsteadOfHotplug_ComesBackInDfuMode()
    {
        EmulatorResult result = UsbEmulator.Run("runtime", "PROBE_POLL=1 $PROBE detach", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("hotplug").Should().Be("False");
        result.Value("found").Should().Be("1209:df11 path=1-1 serial=DFU11-000001");
    }

    [EmulatorFact]
    public void Reset_Dfu11_TransportIsDeadAndDeviceStaysAtItsAddress()
    {
        // A device that keeps its identity over a bus reset stays on the bus (USB 2.0 §9.1.1.5 keeps it attached).
        EmulatorResult result = UsbEmulator.Run("dfu11", "$PROBE reset-and-wait 1209:df11", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("after-reset").Should().Be("NoDevice");
        result.Value("found").Should().StartWith("1209:df11 path=1-1 address=2");
        result.Counters["resets"].Should().Be("1");
        result.Counters["reenumerations"].Should().Be("0");
    }

    [EmulatorFact]
    public void ControlTransfer_ClrStatusInDfuIdle_IsStall()
    {
        EmulatorResult result = UsbEmulator.Run("dfu11", "$PROBE control 2104000000000000", Dir);

        result.Process.ExitCode.Should().Be(1, result.ToString());
        result.Value("error").Should().Be("Stall");
        result.Value("message").Should().Contain("LIBUSB_ERROR_PIPE");
    }

    [EmulatorTheory]
    [InlineData("getstatus-never-answers:2", "Timeout")]
    [InlineData("stall-at-block:2", "Stall")]
    [InlineData("disconnect-at-block:2", "NoDevice")]
    [InlineData("status-at-block:2:ErrWrite", "DfuStatusException")]
    public void Download_InjectedFault_MapsToTypedError(string fault, string expected)
    {
        WriteImage("fw.bin", 6_000, seed: 4);

        EmulatorResult result = UsbEmulator.Run("dfu11", "$PROBE download fw.bin timeout=300", Dir, fault);

        result.Process.ExitCode.Should().Be(1, result.ToString());
        result.Value("error").Should().Be(expected);
    }

    [EmulatorFact]
    public void SimState_DownloadInOneRun_UploadInTheNext()
    {
        byte[] image = WriteImage("fw.bin", 3_000, seed: 5);
        string state = Path.Combine(Dir, "stm32f4.state");

        EmulatorResult first = UsbEmulator.RunWithState("stm32f4", "$PROBE download fw.bin address=0x08004000", Dir, state);
        EmulatorResult second = UsbEmulator.RunWithState("stm32f4", "$PROBE upload out.bin address=0x08004000 length=3000", Dir, state);

        first.Process.ExitCode.Should().Be(0, first.ToString());
        second.Process.ExitCode.Should().Be(0, second.ToString());
        Read("out.bin").Should().Equal(image);
    }

    [EmulatorFact]
    public void Open_TwoBoardsWithTheSameSerial_ListsBothAndThePathSelectsOne()
    {
        byte[] image = WriteImage("fw.bin", 2_048, seed: 6);

        EmulatorResult result = UsbEmulator.RunMany(
            ["stm32f4", "stm32f4"],
            "$PROBE status; $PROBE download fw.bin address=0x08000000 device=path=1-2 && "
            + "$PROBE upload two.bin address=0x08000000 length=2048 device=path=1-2 && "
            + "$PROBE upload one.bin address=0x08000000 length=2048 device=path=1-1",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("error").Should().Be("DfuAmbiguousDeviceException");
        result.Value("message").Should().Contain("at 1-1").And.Contain("at 1-2");
        Read("two.bin").Should().Equal(image);
        Read("one.bin").Should().OnlyContain(b => b == 0xFF, "the other board was not written");
    }

    [EmulatorFact]
    public void Detach_OneOfTwoRuntimeBoards_TheSameBoardReturnsInDfuMode()
    {
        EmulatorResult result = UsbEmulator.RunMany(["runtime", "runtime"], "$PROBE detach device=path=1-2 && $PROBE list", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("found").Should().Be("1209:df11 path=1-2 serial=DFU11-000001");
        result.Lines.Where(l => l.StartsWith("device=", StringComparison.Ordinal)).Should().Equal(
            "device=1209:df10 bcd=0100 path=1-1 address=2",
            "device=1209:df11 bcd=0100 path=1-2 address=4");
    }
}
