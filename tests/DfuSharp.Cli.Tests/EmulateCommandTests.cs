using DfuSharp.Cli.Commands;
using DfuSharp.Cli.Emulation;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests;

/// <summary><c>dfusharp emulate</c>: its plan of the emulator's command line, its checks, and one real run.</summary>
public sealed class EmulateCommandTests
{
    private const string Cli = "'dotnet' '/x/DfuSharp.Cli.dll'";

    private static EmulateRequest Request(
        string[]? profiles = null, string? state = null, bool instant = false, string[]? faults = null,
        string? stats = null, string[]? models = null, bool verbose = false, string[]? command = null)
        => new(profiles ?? ["stm32f4"], state, instant, faults ?? [], stats, models ?? [], verbose, command ?? ["dfu-util", "-l"]);

    [Theory]
    [InlineData(new string[0], null, "needs at least one --profile or --model-cmd.")]
    [InlineData(new[] { "stm32f4", "dfu11" }, "f4.state", "--sim-state needs exactly one board.")]
    [InlineData(new[] { "a", "b", "c", "d", "e", "f", "g", "h", "i" }, null, "serves at most 8 boards, not 9.")]
    [InlineData(new[] { "dfu11", "nope" }, null, "unknown profile \"nope\"; known: stm32f4, stm32l4, stm32f1-app, dfu11, runtime, hid-runtime, stm32f2, stm32f072, stm32f373, stm32h7, gd32, stm32f1-app-honest, stm32f1-app-dishonest, dfu11-dishonest.")]
    public void Validate_WrongBoards_SaysWhy(string[] profiles, string? state, string expected)
        => EmulatorPlan.Validate(Request(profiles, state)).Should().Be(expected);

    [Fact]
    public void Validate_UnknownFaultStatus_NamesIt()
        => EmulatorPlan.Validate(Request(faults: ["status-at-block:1:errBOGUS"])).Should()
            .Be("--fault: \"errBOGUS\" is not a DFU status (for example errVERIFY or ErrVerify).");

    [Fact]
    public void Validate_SoundRequest_IsNull()
        => EmulatorPlan.Validate(Request(state: "f4.state", faults: ["status-at-block:3:errCHECK_ERASED", "corrupt-write"])).Should().BeNull();

    [Fact]
    public void EmulatorArguments_EveryOption_ModelsFirstThenProfilesThenTheCommand()
    {
        IReadOnlyList<string> arguments = EmulatorPlan.EmulatorArguments(
            Request(["dfu11"], state: "my state", instant: true, faults: ["stall-at-block:3"], stats: "s.txt", models: ["./model"], verbose: true),
            Cli);

        arguments.Should().Equal(
            "-v", "--stats", "s.txt",
            "--model", "./model",
            "--model", "'dotnet' '/x/DfuSharp.Cli.dll' sim serve --profile 'dfu11' --stdio --sim-state 'my state' --fault 'stall-at-block:3' --instant",
            "--", "dfu-util", "-l");
    }

    [Fact]
    public void ShellQuote_SingleQuote_IsClosedEscapedAndReopened()
        => EmulatorPlan.ShellQuote("it's").Should().Be("'it'\\''s'");

    [Theory]
    [InlineData("status-at-block:2:errCHECK_ERASED")]
    [InlineData("status-at-block:2:ErrCheckErased")]
    [InlineData("status-at-block:2:ERRCHECK_ERASED")]
    public void FaultSpec_StatusBySpecOrEnumName_SameFault(string text)
    {
        SimulatedFault fault = SimFaultSpec.Parse(text);

        fault.Kind.Should().Be(SimulatedFaultKind.StatusAtBlock);
        fault.Status.Should().Be(DfuStatus.ErrCheckErased);
        fault.DataBlock.Should().Be(2);
    }

    [Fact]
    public void FaultSpec_NumericStatus_IsRefused()
        => FluentActions.Invoking(() => SimFaultSpec.Parse("status-at-block:2:5")).Should().Throw<FormatException>();

    [Fact]
    public void MissingTools_NothingOnPath_NamesEachAndTheDebianPackages()
        => EmulatorBuild.MissingTools(_ => null).Should().Be(
            "building the USB emulator needs gcc, pkg-config; Debian and Ubuntu: sudo apt install gcc pkg-config libumockdev-dev umockdev");

    [Fact]
    public async Task Run_NoBoards_UsageError()
    {
        CliRun run = await CliRunner.RunAsync("emulate", "--", "true");

        run.ExitCode.Should().Be(ExitCodes.Usage, run.ToString());
        run.Stderr.Should().Contain("dfusharp: emulate: needs at least one --profile or --model-cmd.");
    }

    [PeerFact("umockdev-run", "gcc", "pkg-config", "dfu-util")]
    public async Task Run_Dfu11_DfuUtilListsTheBoardAndTheExitCodeIsTheCommands()
    {
        using var dir = new TempDir();
        string list = dir.File("list.txt");

        CliRun run = await CliRunner.RunAsync(
            "emulate", "--profile", "dfu11", "--instant", "--", "sh", "-c", $"dfu-util -l > '{list}' && exit 3");

        run.ExitCode.Should().Be(3, run.ToString());
        File.ReadAllText(list).Should().Contain("Found DFU: [1209:df11] ver=0100, devnum=2, cfg=1, intf=0, path=\"1-1\", alt=0, name=\"Flash\"");
    }
}
