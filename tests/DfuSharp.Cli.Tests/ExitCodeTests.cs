using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests;

public sealed class ExitCodeTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Info_UnknownSimulatedProfile_Exits69()
    {
        CliRun run = await _cli.RunAsync("info", "--device", "sim:nope");

        run.ExitCode.Should().Be(69, run.ToString());
        run.Stderr.Should().Contain("stm32f4");
    }

    [Fact]
    public async Task Download_EmptySimulatedBus_Exits69()
    {
        _cli.EmptyBus = true;

        CliRun run = await _cli.RunAsync("download", TestPaths.InRepo("samples", "blinky-stm32f4.dfu"), "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(69, run.ToString());
    }

    [Fact]
    public async Task Info_NoSelectorAndNoUsbDevice_Exits69()
    {
        CliRun run = await _cli.RunAsync("info", "--json");

        run.ExitCode.Should().Be(69, run.ToString());
        run.Json().GetProperty("error").GetString().Should().NotBeEmpty();
    }

    [Fact]
    public async Task Info_AlternateSettingTheDeviceLacks_Exits69()
    {
        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--alt", "7");

        run.ExitCode.Should().Be(69, run.ToString());
    }

    [Theory]
    [InlineData("--device", "zz")]
    [InlineData("--device", "sim:")]
    [InlineData("--device", "0483:df11", "--sim-state", "x.sim")]
    public async Task Info_MalformedDeviceOptions_Exits64(params string[] options)
    {
        CliRun run = await _cli.RunAsync(["info", .. options]);

        run.ExitCode.Should().Be(64, run.ToString());
    }

    [Fact]
    public async Task Detach_RuntimeDeviceThatNeverComesBack_Exits75()
    {
        _cli.Options = new SimulatedDeviceOptions { ReenumerationDelay = TimeSpan.FromHours(1) };

        CliRun run = await _cli.RunAsync("detach", "--device", "sim:runtime");

        run.ExitCode.Should().Be(75, run.ToString());
    }

    [Fact]
    public async Task Download_DeviceReportsErrWrite_Exits76WithTheStatus()
    {
        _cli.Options = new SimulatedDeviceOptions { Faults = SimulatedFaults.Of(SimulatedFault.StatusAtBlock(2, DfuStatus.ErrWrite)) };

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(8192, seed: 1)), "--device", "sim:dfu11");

        run.ExitCode.Should().Be(76, run.ToString());
        run.Stderr.Should().Contain("errWRITE");
        run.Stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task Download_SilentlyCorruptingDeviceWithVerify_Exits76()
    {
        _cli.Options = new SimulatedDeviceOptions { Faults = SimulatedFaults.Of(SimulatedFault.CorruptWrite(1)) };

        CliRun run = await _cli.RunAsync("download", TestPaths.InRepo("samples", "blinky-stm32f4.dfu"), "--device", "sim:stm32f4", "--verify", "--json");

        run.ExitCode.Should().Be(76, run.ToString());
        run.Json().GetProperty("error").GetString().Should().Contain("0x0800");
    }

    [Fact]
    public async Task Download_DeviceDisconnectsMidway_Exits74()
    {
        _cli.Options = new SimulatedDeviceOptions { Faults = SimulatedFaults.Of(SimulatedFault.DisconnectAtBlock(2)) };

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(8192, seed: 2)), "--device", "sim:dfu11");

        run.ExitCode.Should().Be(74, run.ToString());
    }

    [Fact]
    public async Task Download_CancelledDuringDownload_Exits130AndLeavesTheDeviceIdle()
    {
        using var cancellation = new CancellationTokenSource();
        using var stderr = new CancelOnText("download:", cancellation);

        CliRun run = await _cli.RunAsync(stderr, cancellation.Token, "download", _dir.Write("fw.bin", SimCli.Random(64 * 1024, seed: 3)), "--device", "sim:dfu11");

        run.ExitCode.Should().Be(130, run.ToString());
        run.Stderr.Should().Contain("cancelled");
        _cli.Device.State.Should().Be(DfuState.DfuIdle);
        _cli.Device.DataBlocksReceived.Should().BeLessThan(64);
    }

    [Theory]
    [InlineData("stm32f4", "erase:")]
    [InlineData("stm32f4", "download:")]
    [InlineData("stm32f4", "verify:")]
    [InlineData("dfu11", "verify:")]
    public async Task Download_CancelledInAPhase_Exits130AndLeavesTheDeviceIdle(string profile, string phase)
    {
        using var cancellation = new CancellationTokenSource();
        using var stderr = new CancelOnText(phase, cancellation);
        string[] at = profile == "stm32f4" ? ["--address", "0x08000000"] : [];

        CliRun run = await _cli.RunAsync(stderr, cancellation.Token,
            ["download", _dir.Write("fw.bin", SimCli.Random(80 * 1024, seed: 4)), "--device", $"sim:{profile}", "--verify", "--json", .. at]);

        run.ExitCode.Should().Be(130, run.ToString());
        run.Json().GetProperty("error").GetString().Should().Be("cancelled");
        _cli.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public async Task Download_CancelledWithSimState_KeepsWhatWasWritten()
    {
        string state = _dir.File("device.sim");
        using var cancellation = new CancellationTokenSource();
        using var stderr = new CancelOnText("download:", cancellation);

        CliRun run = await _cli.RunAsync(stderr, cancellation.Token, "download", _dir.Write("fw.bin", SimCli.Random(64 * 1024, seed: 3)),
            "--device", "sim:dfu11", "--sim-state", state);

        run.ExitCode.Should().Be(130, run.ToString());
        File.Exists(state).Should().BeTrue();
        _dir.Entries().Should().BeEquivalentTo(["fw.bin", "device.sim"]);
    }

    [Fact]
    public async Task Download_MissingFile_Exits66()
    {
        CliRun run = await _cli.RunAsync("download", _dir.File("absent.dfu"), "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(66, run.ToString());
    }

    [Fact]
    public async Task Download_CorruptDfuFile_Exits65BeforeOpeningTheDevice()
    {
        byte[] sample = await File.ReadAllBytesAsync(TestPaths.InRepo("samples", "blinky-stm32f4.dfu"));
        sample[100] ^= 0xFF;

        CliRun run = await _cli.RunAsync("download", _dir.Write("bad.dfu", sample), "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(65, run.ToString());
        _cli.Bus.Should().BeNull();
    }
}
