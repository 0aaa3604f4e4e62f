using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests.Adversarial;

/// <summary>Transport failures say which DFU request, block and length failed; no message ends in a C# parameter name.</summary>
public sealed class MessageTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Download_StallAtABlock_NamesTheRequestBlockAndLength()
    {
        _cli.Options = new SimulatedDeviceOptions { Faults = SimulatedFaults.Of(SimulatedFault.StallAtBlock(3)) };

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(16 * 1024, seed: 1)), "--device", "sim:dfu11", "--json");

        run.ExitCode.Should().Be(76, run.ToString());
        run.Json().GetProperty("error").GetString().Should().MatchRegex(@"DFU_DNLOAD block \d+ \(\d+ bytes\) failed: .*stalled");
    }

    [Fact]
    public async Task Download_DisconnectAtABlock_NamesTheRequest()
    {
        _cli.Options = new SimulatedDeviceOptions { Faults = SimulatedFaults.Of(SimulatedFault.DisconnectAtBlock(2)) };

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(16 * 1024, seed: 2)), "--device", "sim:dfu11");

        run.ExitCode.Should().NotBe(0, run.ToString());
        run.Stderr.Should().MatchRegex(@"DFU_(DNLOAD block \d+ \(\d+ bytes\)|GETSTATUS) failed: ");
    }

    [Fact]
    public async Task Pack_ArgumentFailure_DoesNotEndInAParameterName()
    {
        string input = _dir.Write("a.bin", new byte[16]);
        string name = new('x', 300);

        CliRun run = await CliRunner.RunAsync("file", "pack", _dir.File("out.dfu"), "--name", name, "--bin", $"0x08000000:{input}");

        run.ExitCode.Should().NotBe(0, run.ToString());
        run.Stderr.Should().NotContain("(Parameter '");
    }

    [Theory]
    [InlineData("Value is bad. (Parameter 'image')", "Value is bad.")]
    [InlineData("Too long. (Parameter 'name')", "Too long.")]
    [InlineData("No tail here", "No tail here")]
    public void WithoutParameterTail_RemovesDotNetsTail(string message, string expected)
        => Infrastructure.CliErrors.WithoutParameterTail(message).Should().Be(expected);
}
