using DfuSharp.Cli.Commands.DfuUtil;

namespace DfuSharp.Cli.Tests.DfuUtil;

/// <summary>The program name <c>dfu-util</c> turns the whole command line into a dfu-util one.</summary>
public sealed class DfuUtilInvocationTests
{
    [Theory]
    [InlineData("/usr/local/bin/dfu-util")]
    [InlineData("dfu-util")]
    [InlineData(@"C:\rig\dfu-util.exe")]
    public void Arguments_ProgramNamedDfuUtil_RunsTheDfuUtilCommand(string program)
        => DfuUtilInvocation.Arguments(["-a", "0", "-D", "fw.bin"], program).Should().Equal("dfu-util", "-a", "0", "-D", "fw.bin");

    [Theory]
    [InlineData("/usr/local/bin/dfusharp")]
    [InlineData("dfu-util-wrapper")]
    [InlineData(null)]
    public void Arguments_OtherProgramName_LeavesTheArguments(string? program)
        => DfuUtilInvocation.Arguments(["list"], program).Should().Equal("list");

    [Fact]
    public async Task Arguments_ThroughCliApp_RunsDfuUtilVersion()
    {
        CliRun run = await CliRunner.RunAsync(DfuUtilInvocation.Arguments(["-V"], "/opt/rig/dfu-util"));

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().StartWith("dfu-util 0.11");
    }
}
