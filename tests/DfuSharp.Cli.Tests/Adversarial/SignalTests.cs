using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests.Adversarial;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP during a download on a simulated board (which keeps real time in a real process): each
/// cancels the command, the device returns to dfuIDLE, the state is saved, "cancelled" is printed, and the exit code
/// is 128 + the signal.
/// </summary>
public sealed class SignalTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [UnixTheory]
    [InlineData(2, 130)]
    [InlineData(15, 143)]
    [InlineData(1, 129)]
    public async Task Download_Signal_CancelsSavesStateAndExitsWith128PlusSignal(int signal, int exitCode)
    {
        string firmware = _dir.Write("big.bin", SimCli.Random(256 * 1024, seed: signal));
        string state = _dir.File("board.state");
        using var child = ChildProcess.Start(_dir.Path, "download", firmware, "--address", "0x08000000",
            "--device", "sim:stm32f4", "--sim-state", state, "--pacing", "spec");

        await child.WaitForStderrAsync("download:");
        child.Signal(signal);
        CliRun run = await child.WaitForExitAsync();

        run.ExitCode.Should().Be(exitCode, run.ToString());
        run.Stderr.Should().Contain($"dfusharp: {(signal == 2 ? "SIGINT" : signal == 15 ? "SIGTERM" : "SIGHUP")}: cancelling");
        run.Stderr.Should().EndWith($"dfusharp: cancelled{Environment.NewLine}");
        AssertSavedStateIsIdle(state);
    }

    [UnixFact]
    public async Task Download_SecondSignalDuringCleanup_WaitsAndSaysSo()
    {
        string firmware = _dir.Write("big.bin", SimCli.Random(256 * 1024, seed: 7));
        string state = _dir.File("board.state");
        using var child = ChildProcess.Start(_dir.Path, "download", firmware, "--address", "0x08000000",
            "--device", "sim:stm32f4", "--sim-state", state, "--pacing", "spec");

        await child.WaitForStderrAsync("download:");
        child.Signal(15);
        await child.WaitForStderrAsync("SIGTERM: cancelling");
        child.Signal(2);
        CliRun run = await child.WaitForExitAsync();

        run.ExitCode.Should().Be(143, run.ToString());
        run.Stderr.Should().Contain("cancelling: waiting for the device to return to dfuIDLE");
        run.Stderr.Should().EndWith($"dfusharp: cancelled{Environment.NewLine}");
        AssertSavedStateIsIdle(state);
    }

    // The state holds what the flash kept (the blocks written before the signal): it differs from a fresh board's,
    // and a new board loads it, so it was saved whole.
    private static void AssertSavedStateIsIdle(string state)
    {
        File.Exists(state).Should().BeTrue("the state is saved after a cancelled download");
        SimulatedDfuDevice device = new SimulatedUsbBus(new VirtualTimeProvider()).Add("stm32f4");
        using var fresh = new MemoryStream();
        device.SaveState(fresh);
        byte[] saved = File.ReadAllBytes(state);
        saved.Should().NotEqual(fresh.ToArray(), "blocks written before the signal stay in flash");

        using var stream = new MemoryStream(saved);
        device.LoadState(stream);
        device.State.Should().Be(DfuSharp.Protocol.DfuState.DfuIdle);
    }
}

/// <summary>A theory that needs Unix signals or FIFOs.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "needs Unix signals";
        }
    }
}
