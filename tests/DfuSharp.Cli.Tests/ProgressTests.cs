using DfuSharp.Cli.Devices;

namespace DfuSharp.Cli.Tests;

public sealed class ProgressTests
{
    [Fact]
    public void PlainProgress_OneReportPerBlock_PrintsAtPhaseStartAndEachTenth()
    {
        using var error = new StringWriter();
        var progress = new CliProgress.PlainProgress(error);

        for (int block = 0; block <= 512; block++)
        {
            progress.Report(new DfuProgress(DfuPhase.Download, block * 2048L, 512 * 2048L, DfuProgressUnit.Bytes));
        }

        progress.Report(new DfuProgress(DfuPhase.Leave, 0, 1, DfuProgressUnit.Steps));
        progress.Report(new DfuProgress(DfuPhase.Leave, 1, 1, DfuProgressUnit.Steps));

        string[] lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(13);
        lines[0].Should().Be("dfusharp: download:   0% (0/1048576 bytes)");
        lines[10].Should().Be("dfusharp: download: 100% (1048576/1048576 bytes)");
        lines[12].Should().Be("dfusharp: leave: 100% (1/1 steps)");
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
        stderr.ToString().Should().Contain("download").And.NotContain("dfusharp: download:");
        new CliRun(code, stdout.ToString(), stderr.ToString()).Json().GetProperty("verified").GetBoolean().Should().BeTrue();
    }
}
