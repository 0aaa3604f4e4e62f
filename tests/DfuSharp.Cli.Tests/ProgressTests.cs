using DfuSharp.Cli.Devices;

namespace DfuSharp.Cli.Tests;

public sealed class ProgressTests
{
    [Fact]
    public void PlainProgress_OneReportPerBlock_PrintsAtPhaseStartAndEachTenth()
    {
        using var error = new StringWriter();
        var time = new DfuSharp.Simulation.VirtualTimeProvider();
        var progress = new CliProgress.PlainProgress(error, time);

        for (int block = 0; block <= 512; block++)
        {
            progress.Report(new DfuProgress(DfuPhase.Download, block * 2048L, 512 * 2048L, DfuProgressUnit.Bytes));
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        progress.Report(new DfuProgress(DfuPhase.Leave, 0, 1, DfuProgressUnit.Steps));
        progress.Report(new DfuProgress(DfuPhase.Leave, 1, 1, DfuProgressUnit.Steps));

        string[] lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(13);
        lines[0].Should().Be("dfusharp: download:   0% (0/1048576 bytes) 00:00 elapsed");
        lines[10].Should().Be("dfusharp: download: 100% (1048576/1048576 bytes) 102.4 KB/s, 00:10 elapsed");
        lines[12].Should().Be("dfusharp: leave: 100% (1/1 steps) 00:00 elapsed");
    }

    [Theory]
    [InlineData(DfuProgressUnit.Bytes, 65536, 131072, 2000, "(65536/131072 bytes) 32.8 KB/s, 00:02 elapsed")]
    [InlineData(DfuProgressUnit.Bytes, 0, 131072, 0, "(0/131072 bytes) 00:00 elapsed")]
    [InlineData(DfuProgressUnit.Sectors, 3, 8, 61000, "(3/8 sectors) 01:01 elapsed")]
    [InlineData(DfuProgressUnit.Bytes, 1_000_000, 2_000_000, 3_723_000, "(1000000/2000000 bytes) 0.3 KB/s, 1:02:03 elapsed")]
    public void Amount_Report_ShowsAmountRateAndElapsedTime(DfuProgressUnit unit, long completed, long total, int elapsedMs, string expected)
        => CliProgress.Amount(new DfuProgress(DfuPhase.Download, completed, total, unit), TimeSpan.FromMilliseconds(elapsedMs))
            .Should().Be(expected);

    [Theory]
    [InlineData(0.375, 12_000, "(65536/131072 bytes) 32.8 KB/s, 00:02 elapsed; overall 37%, 00:12 left")]
    [InlineData(0.02, null, "(65536/131072 bytes) 32.8 KB/s, 00:02 elapsed; overall 2%")]
    [InlineData(1.0, 0, "(65536/131072 bytes) 32.8 KB/s, 00:02 elapsed; overall 100%, 00:00 left")]
    public void Amount_ReportWithOverallFigures_AddsTheOverallFractionAndTimeLeft(double overall, int? leftMs, string expected)
        => CliProgress.Amount(
                new DfuProgress(DfuPhase.Download, 65536, 131072, DfuProgressUnit.Bytes)
                {
                    OverallFraction = overall,
                    TimeLeft = leftMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
                },
                TimeSpan.FromSeconds(2))
            .Should().Be(expected);

    [Fact]
    public async Task Download_Redirected_LinesCarryTheOverallFractionUpTo100()
    {
        var cli = new SimCli();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new Infrastructure.CliContext(stdout, stderr, Interactive: false) { Devices = cli.Environment };

        int code = await CliApp.RunAsync(
            ["download", TestPaths.InRepo("samples", "blinky-stm32f4.dfu"), "--device", "sim:stm32f4", "--verify"], context);

        code.Should().Be(0, stderr.ToString());
        string[] lines = [.. stderr.ToString().Split(Environment.NewLine).Where(l => l.StartsWith("dfusharp: ", StringComparison.Ordinal) && l.Contains("; overall ", StringComparison.Ordinal))];
        lines.Should().NotBeEmpty();
        lines[^1].Should().Contain("; overall 100%, 00:00 left");
    }

    [Theory]
    [InlineData("adaptive", "pacing adaptive")]
    [InlineData("spec", "pacing spec")]
    [InlineData("hold", "pacing hold")]
    public async Task Download_Redirected_LinesNameThePacingInUse(string pacing, string expected)
    {
        var cli = new SimCli();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new Infrastructure.CliContext(stdout, stderr, Interactive: false) { Devices = cli.Environment };

        int code = await CliApp.RunAsync(
            ["download", TestPaths.InRepo("samples", "blinky-stm32f4.dfu"), "--device", "sim:stm32f4", "--pacing", pacing], context);

        code.Should().Be(0, stderr.ToString());
        string[] lines = [.. stderr.ToString().Split(Environment.NewLine).Where(l => l.StartsWith("dfusharp: download:", StringComparison.Ordinal))];
        lines.Should().NotBeEmpty().And.OnlyContain(l => l.EndsWith(", " + expected, StringComparison.Ordinal));
        stdout.ToString().Should().Contain(expected);
    }

    [Fact]
    public async Task Download_InteractiveConsole_DrawsOnStderrAndKeepsStdoutForTheResult()
    {
        var cli = new SimCli();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new Infrastructure.CliContext(stdout, stderr, Interactive: true) { Devices = cli.Environment };

        int code = await CliApp.RunAsync(
            ["download", TestPaths.InRepo("samples", "blinky-stm32f4.dfu"), "--device", "sim:stm32f4", "--verify", "--json"], context);

        code.Should().Be(0, stderr.ToString());
        stderr.ToString().Should().Contain("download").And.NotContain("dfusharp: download:").And.Contain(" bytes").And.Contain("overall");
        new CliRun(code, stdout.ToString(), stderr.ToString()).Json().GetProperty("verified").GetBoolean().Should().BeTrue();
    }
}
