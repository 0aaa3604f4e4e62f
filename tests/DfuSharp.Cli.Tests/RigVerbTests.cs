namespace DfuSharp.Cli.Tests;

/// <summary><c>leave</c> (DfuSe leave) and <c>reset</c> (USB reset) against simulated boards.</summary>
public sealed class RigVerbTests
{
    private readonly SimCli _cli = new();

    [Fact]
    public async Task Leave_Stm32f4_LeavesDfuMode()
    {
        CliRun run = await _cli.RunAsync("leave", "--device", "sim:stm32f4", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("command").GetString().Should().Be("leave");
        run.Json().GetProperty("outcome").GetString().Should().BeOneOf("left", "disconnected");
    }

    [Fact]
    public async Task Leave_WithAddressAndTimeout_LeavesDfuMode()
    {
        CliRun run = await _cli.RunAsync("leave", "--device", "sim:stm32f4", "--address", "0x08000000", "--timeout", "2000");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("left DFU mode");
    }

    [Fact]
    public async Task Leave_PlainDfuDevice_Exits64()
    {
        CliRun run = await _cli.RunAsync("leave", "--device", "sim:dfu11");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("is not a DfuSe device in DFU mode");
    }

    [Fact]
    public async Task Reset_Dfu11_ResetsTheBoard()
    {
        CliRun run = await _cli.RunAsync("reset", "--device", "sim:dfu11", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("outcome").GetString().Should().Be("reset");
    }

    [Fact]
    public async Task Reset_ZeroTimeout_Exits64()
    {
        CliRun run = await _cli.RunAsync("reset", "--device", "sim:dfu11", "--timeout", "0");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("--timeout must be at least 1 ms");
    }

    [Fact]
    public async Task Reset_NoBoard_Exits69()
    {
        _cli.EmptyBus = true;

        CliRun run = await _cli.RunAsync("reset", "--device", "sim:dfu11");

        run.ExitCode.Should().Be(69, run.ToString());
    }
}
