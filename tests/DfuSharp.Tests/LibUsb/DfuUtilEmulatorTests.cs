namespace DfuSharp.Tests.LibUsb;

/// <summary>
/// dfu-util, the reference host, against the same simulated devices, and cross-checks: what one host writes, the
/// other reads back.
/// </summary>
[Collection(UsbEmulatorCollection.Name)]
[Trait("Category", "Emulator")]
public sealed class DfuUtilEmulatorTests() : EmulatorTestBase("dfusharp-dfu-util-")
{
    [EmulatorFact("dfu-util")]
    public void List_Stm32f4_FindsEveryAlternateSetting()
    {
        EmulatorResult result = UsbEmulator.Run("stm32f4", "dfu-util -l", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        string[] found = result.Lines.Where(l => l.StartsWith("Found DFU: [0483:df11]", StringComparison.Ordinal)).ToArray();
        found.Should().HaveCount(4);
        found.Should().Contain(l => l.Contains("path=\"1-1\", alt=0, name=\"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg\"", StringComparison.Ordinal));
    }

    [EmulatorFact("dfu-util")]
    public void DfuUtilDownloadWithLeave_Stm32f4_DfuSharpReadsItBack()
    {
        byte[] image = WriteImage("fw.bin", 30_000, seed: 11);

        EmulatorResult result = UsbEmulator.Run(
            "stm32f4",
            "dfu-util -a 0 -s 0x08000000:leave -D fw.bin && $PROBE wait 0483:df11 5000 && $PROBE upload out.bin address=0x08000000 length=30000",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Process.StandardOutput.Should().Contain("File downloaded successfully");
        result.Counters["reenumerations"].Should().Be("1");
        Read("out.bin").Should().Equal(image);
    }

    [EmulatorFact("dfu-util")]
    public void DfuSharpDownload_Stm32f4_DfuUtilUploadsItBack()
    {
        byte[] image = WriteImage("fw.bin", 20_000, seed: 12);

        EmulatorResult result = UsbEmulator.Run(
            "stm32f4",
            "$PROBE download fw.bin address=0x08000000 && dfu-util -a 0 -s 0x08000000:20000 -U out.bin",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Read("out.bin").Should().Equal(image);
    }

    [EmulatorFact("dfu-util")]
    public void DfuUtilMassErase_Stm32f4_DfuSharpReadsErasedFlash()
    {
        WriteImage("fw.bin", 2_048, seed: 13);

        EmulatorResult result = UsbEmulator.Run(
            "stm32f4",
            "$PROBE download fw.bin address=0x08000000 && dfu-util -a 0 -s 0x08000000:mass-erase:force && $PROBE upload out.bin address=0x08000000 length=2048",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Read("out.bin").Should().OnlyContain(b => b == 0xFF);
    }

    [EmulatorFact("dfu-util")]
    public void PlainDfu_Dfu11_BothHostsReadWhatTheOtherWrote()
    {
        byte[] first = WriteImage("a.bin", 7_000, seed: 14);
        byte[] second = WriteImage("b.bin", 5_000, seed: 15);

        EmulatorResult result = UsbEmulator.Run(
            "dfu11",
            "dfu-util -D a.bin && $PROBE upload a-out.bin && $PROBE download b.bin verify && dfu-util -U b-out.bin",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Read("a-out.bin").Should().Equal(first);
        Read("b-out.bin").Should().Equal(second);
    }

    [EmulatorFact("dfu-util")]
    public void Detach_Runtime_DeviceReturnsInDfuMode()
    {
        EmulatorResult result = UsbEmulator.Run("runtime", "dfu-util -e && $PROBE wait 1209:df11 5000 && dfu-util -l", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Contain(l => l.StartsWith("Found DFU: [1209:df11]", StringComparison.Ordinal) && l.Contains("path=\"1-1\"", StringComparison.Ordinal));
    }
}
