namespace DfuSharp.Cli.Tests;

/// <summary>Edges of the device commands: an unknown alternate setting, short uploads, and Ctrl+C during a mass erase.</summary>
public sealed class EdgeCliTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Info_UnknownAlternateSetting_ListsTheBoardsSettings()
    {
        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--alt", "nope");

        run.ExitCode.Should().Be(69, run.ToString());
        run.Stderr.Should().Contain("has alternate settings 0 \"@Internal Flash").And.Contain("1 \"@Option Bytes");
    }

    [Fact]
    public async Task Upload_LengthBeyondWhatAPlainDeviceHolds_WarnsAndExits65()
    {
        string output = _dir.File("out.bin");

        CliRun run = await _cli.RunAsync("upload", output, "--device", "sim:dfu11", "--length", "30000", "--json");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("warning").And.Contain("of the 30000 bytes asked");
        run.Json().GetProperty("length").GetInt64().Should().BeLessThan(30000);
        run.Json().GetProperty("requestedLength").GetInt64().Should().Be(30000);
        run.Json().GetProperty("warnings").GetArrayLength().Should().Be(1);
        File.Exists(output).Should().BeTrue("the file holds what was read");
    }

    [Fact]
    public async Task Upload_ShortWithAllowShort_ExitsZeroWithTheWarning()
    {
        CliRun run = await _cli.RunAsync("upload", _dir.File("out.bin"), "--device", "sim:dfu11", "--length", "30000", "--allow-short");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stderr.Should().Contain("warning");
    }

    [Fact]
    public async Task Upload_RuntimeDeviceSendingNothing_IsNotSuccess()
    {
        CliRun run = await _cli.RunAsync("upload", _dir.File("out.bin"), "--device", "sim:runtime", "--length", "0x100");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("sent 0 of the 256 bytes asked");
    }

    [Fact]
    public async Task Erase_CtrlCBeforeTheCommandIsSent_SaysItWaitsAndThatTheEraseDidNotComplete()
    {
        using var cancellation = new CancellationTokenSource();
        using var stderr = new CancelOnText("erase:   0%", cancellation);

        CliRun run = await _cli.RunAsync(stderr, cancellation.Token, "erase", "--mass", "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(130, run.ToString());
        run.Stderr.Should().Contain("waiting up to 120 s for the device to finish the mass erase")
            .And.Contain("the mass erase did not complete");
        _cli.Device.Transcript.ToString().Should().NotContain("mass erase");
    }
}
