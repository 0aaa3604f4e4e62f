namespace DfuSharp.Cli.Tests.DfuUtil;

/// <summary>
/// <c>dfusharp dfu-util ARGS…</c> in process, against simulated boards standing in for libusb's: each dfu-util operation
/// reaches the device through the library, and every refusal is exit 64 before anything is sent.
/// </summary>
public sealed class DfuUtilCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    private Task<CliRun> DfuUtil(params string[] args) => _cli.RunAsync(["dfu-util", .. args]);

    private string Image(string name, int length, int seed)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, SimCli.Random(length, seed));
        return path;
    }

    [Fact]
    public async Task List_Stm32f4_PrintsDfuUtilLinesForEveryAlternateSetting()
    {
        _cli.Plug("stm32f4", "1-1", serial: "F4");

        CliRun run = await DfuUtil("-l");

        run.ExitCode.Should().Be(0, run.ToString());
        string[] found = run.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        found.Should().HaveCount(4).And.OnlyContain(l => l.StartsWith("Found DFU: [0483:df11] ver=2200, devnum=", StringComparison.Ordinal));
        found.Should().Contain(l => l.Contains("cfg=1, intf=0, path=\"1-1\", alt=0, name=\"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg\", serial=\"F4\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_RuntimeBoardFilteredByDevice_PrintsRuntimeLineOnly()
    {
        _cli.Plug("runtime", "1-1");
        _cli.Plug("stm32f4", "1-2");

        CliRun run = await DfuUtil("-l", "-d", "1209:df10");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().StartWith("Found Runtime: [1209:df10]").And.NotContain("0483");
    }

    [Fact]
    public async Task DownloadWithLeave_Stm32f4_WritesTheFlashAndExitsZero()
    {
        var board = _cli.Plug("stm32f4", "1-1");
        string fw = Image("fw.bin", 30_000, seed: 1);

        CliRun run = await DfuUtil("-a", "0", "-s", "0x08000000:leave", "-D", fw);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("Download done: 30000 bytes").And.Contain("left DFU mode");
        board.ReadMemory(0x0800_0000, 30_000).Should().Equal(File.ReadAllBytes(fw));
    }

    [Fact]
    public async Task MassEraseDownload_Stm32f4_ErasesEverythingThenWrites()
    {
        var board = _cli.Plug("stm32f4", "1-1");
        string old = Image("old.bin", 70_000, seed: 2);
        (await DfuUtil("-a", "0", "-s", "0x08000000", "-D", old)).ExitCode.Should().Be(0);
        string fw = Image("fw.bin", 1_000, seed: 3);

        CliRun run = await DfuUtil("-d", "0483:df11", "-a", "0", "-s", "0x08000000:mass-erase:force", "-D", fw);

        run.ExitCode.Should().Be(0, run.ToString());
        board.ReadMemory(0x0800_0000, 1_000).Should().Equal(File.ReadAllBytes(fw));
        board.ReadMemory(0x0801_0000, 4_000).Should().OnlyContain(b => b == 0xFF);
    }

    [Fact]
    public async Task MassEraseAlone_Stm32f4_ErasesTheFlash()
    {
        var board = _cli.Plug("stm32f4", "1-1");
        (await DfuUtil("-a", "0", "-s", "0x08000000", "-D", Image("old.bin", 5_000, seed: 11))).ExitCode.Should().Be(0);

        CliRun run = await DfuUtil("-a", "0", "-s", "0x08000000:mass-erase:force");

        run.ExitCode.Should().Be(0, run.ToString());
        board.ReadMemory(0x0800_0000, 5_000).Should().OnlyContain(b => b == 0xFF);
    }

    [Fact]
    public async Task LeaveAlone_Stm32f4_LeavesDfuMode()
    {
        _cli.Plug("stm32f4", "1-1");

        CliRun run = await DfuUtil("-a", "0", "-s", "0x08000000:leave");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("left DFU mode");
    }

    [Fact]
    public async Task UploadWithLength_Stm32f4_WritesThoseBytes()
    {
        _cli.Plug("stm32f4", "1-1");
        string fw = Image("fw.bin", 40_000, seed: 4);
        (await DfuUtil("-a", "0", "-s", "0x08000000", "-D", fw)).ExitCode.Should().Be(0);

        CliRun run = await DfuUtil("-a", "0", "-s", "0x08004000:8192", "-U", _dir.File("out.bin"));

        run.ExitCode.Should().Be(0, run.ToString());
        File.ReadAllBytes(_dir.File("out.bin")).Should().Equal(File.ReadAllBytes(fw).AsSpan(0x4000, 8192).ToArray());
    }

    [Fact]
    public async Task Upload_FileExists_Exits73LikeDfuUtil()
    {
        _cli.Plug("stm32f4", "1-1");
        string existing = Image("out.bin", 4, seed: 5);

        CliRun run = await DfuUtil("-a", "0", "-s", "0x08000000:16", "-U", existing);

        run.ExitCode.Should().Be(73, run.ToString());
        File.ReadAllBytes(existing).Should().HaveCount(4);
    }

    [Fact]
    public async Task UploadSize_DeviceSendsLess_Exits65()
    {
        _cli.Plug("dfu11", "1-1");
        string fw = Image("fw.bin", 1_000, seed: 6);
        (await DfuUtil("-D", fw)).ExitCode.Should().Be(0);

        CliRun run = await DfuUtil("-U", _dir.File("out.bin"), "-Z", "100000");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("-Z expected 100000");
    }

    [Fact]
    public async Task DownloadPlain_Dfu11_WritesTheFirmware()
    {
        var board = _cli.Plug("dfu11", "1-1");
        string fw = Image("fw.bin", 7_000, seed: 7);

        CliRun run = await DfuUtil("-D", fw, "-R");

        run.ExitCode.Should().Be(0, run.ToString());
        board.Firmware.ToArray().Should().Equal(File.ReadAllBytes(fw));
    }

    [Fact]
    public async Task DfuSeAddress_PlainDevice_Exits64()
    {
        _cli.Plug("dfu11", "1-1");

        CliRun run = await DfuUtil("-s", "0x08000000", "-D", Image("fw.bin", 100, seed: 8));

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("-s applies only to DfuSe devices");
    }

    [Fact]
    public async Task RawFile_DfuSeDeviceWithoutAddress_Exits64()
    {
        _cli.Plug("stm32f4", "1-1");

        CliRun run = await DfuUtil("-a", "0", "-D", Image("fw.bin", 100, seed: 9));

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("needs -s ADDR");
    }

    [Fact]
    public async Task Detach_RuntimeBoard_ComesBackInDfuMode()
    {
        _cli.Plug("runtime", "1-1");

        CliRun run = await DfuUtil("-e");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("Detached");
        (await DfuUtil("-l")).Stdout.Should().Contain("Found DFU: [1209:df11]");
    }

    [Fact]
    public async Task Detach_BoardInDfuMode_SaysSoAndExitsZero()
    {
        _cli.Plug("dfu11", "1-1");

        CliRun run = await DfuUtil("-e", "-w");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("already in DFU mode");
    }

    [Fact]
    public async Task Reset_Dfu11_ResetsTheBoard()
    {
        _cli.Plug("dfu11", "1-1");

        CliRun run = await DfuUtil("-R");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("Resetting USB");
    }

    [Fact]
    public async Task DevnumAndConfiguration_MatchingBoard_AreHonoured()
    {
        _cli.Plug("dfu11", "1-1");
        uint devnum = uint.Parse((await DfuUtil("-l")).Stdout.Split("devnum=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);

        CliRun run = await DfuUtil("-n", devnum.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", "1", "-e");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("1209:df11");
        (await DfuUtil("-n", (devnum + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "-e")).ExitCode.Should().Be(69);
        (await DfuUtil("-c", "2", "-e")).ExitCode.Should().Be(69);
    }

    [Fact]
    public async Task NoBoard_Exits69()
    {
        CliRun run = await DfuUtil("-D", Image("fw.bin", 100, seed: 10));

        run.ExitCode.Should().Be(69, run.ToString());
    }

    [Fact]
    public async Task Wait_NoBoardEver_Exits69AfterTheBoundedWait()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        CliRun run = await _cli.RunAsync(null, guard.Token, "dfu-util", "-w", "-e");

        run.ExitCode.Should().Be(69, run.ToString());
        run.Stderr.Should().Contain("-w: no matching DFU device appeared within 5 minutes");
    }

    [Fact]
    public async Task NoOperation_Exits64()
    {
        CliRun run = await DfuUtil("-a", "0");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("you need to specify one of -D or -U");
    }

    [Theory]
    [InlineData("-S", "A,B", "different run-time and DFU-mode serial numbers")]
    [InlineData("-d", "0483", "-d: ")]
    [InlineData("-d", "serial=1", "expected <vendor>:<product>")]
    public async Task SelectorItCannotHonour_Exits64(string option, string value, string message)
    {
        _cli.Plug("stm32f4", "1-1");

        CliRun run = await DfuUtil("-l", option, value);

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain(message);
    }

    [Fact]
    public async Task Help_PrintsTheOptionTableAndExitsZero()
    {
        CliRun run = await DfuUtil("-h");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("-s --dfuse-address").And.Contain("-w --wait");
    }

    [Fact]
    public async Task Version_PrintsDfuUtilVersionAndExitsZero()
    {
        CliRun run = await DfuUtil("-V");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().StartWith("dfu-util 0.11 (dfusharp ");
    }

    [Fact]
    public async Task UnknownOption_Exits64()
    {
        CliRun run = await DfuUtil("-x");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("invalid option -- 'x'");
    }
}
