using DfuSharp.Cli.Infrastructure;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Tests;

/// <summary>
/// <c>--wait [SECONDS]</c> (a board that is being power-cycled appears later; one that never does exits 69) and
/// <c>--timeout MS</c> (the control-transfer timeout of the session), on every device command, in virtual time.
/// </summary>
public sealed class WaitTests : IDisposable
{
    private const uint Flash = 0x0800_0000;

    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    // The bus libusb stands for, where boards are plugged in some virtual seconds after the command first lists it:
    // the command is then surely waiting.
    private async Task<CliRun> RunWithLateBoardsAsync((string Profile, string Path, TimeSpan After)[] boards, params string[] args)
    {
        var bus = new LateBus(_cli.UsbBus, boards);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr) { Devices = _cli.Environment with { CreateUsbProvider = () => bus } };
        int code = await CliApp.RunAsync(args, context, CancellationToken.None);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Download_WaitAndTheBoardAppearsLater_FlashesIt()
    {
        byte[] firmware = SimCli.Random(4096, seed: 1);

        CliRun run = await RunWithLateBoardsAsync([("stm32f4", "1-1", TimeSpan.FromSeconds(3))],
            "download", _dir.Write("fw.bin", firmware), "--address", "0x08000000", "--wait", "10");

        run.ExitCode.Should().Be(0, run.ToString());
        _cli.Time.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(3));
        _cli.UsbBus.Devices.Single().ReadMemory(Flash, firmware.Length).Should().Equal(firmware);
    }

    [Fact]
    public async Task Download_WithoutWaitAndTheBoardLater_Exits69AtOnce()
    {
        CliRun run = await RunWithLateBoardsAsync([("stm32f4", "1-1", TimeSpan.FromSeconds(3))],
            "download", _dir.Write("fw.bin", SimCli.Random(16, seed: 2)), "--address", "0x08000000");

        run.ExitCode.Should().Be(69, run.ToString());
        run.Stderr.Should().Contain("No DFU device is present");
    }

    [Fact]
    public async Task Info_WaitAndNoBoardEverAppears_Exits69AfterTheWait()
    {
        CliRun run = await _cli.RunAsync("info", "--device", "0483:df11", "--wait", "5");

        run.ExitCode.Should().Be(69, run.ToString());
        run.Stderr.Should().Contain("appeared within 5 s (--wait)");
        _cli.Time.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Info_WaitWithJsonAndNoBoard_PrintsTheErrorObject()
    {
        CliRun run = await _cli.RunAsync("info", "--wait", "1.5", "--json");

        run.ExitCode.Should().Be(69, run.ToString());
        run.Json().GetProperty("error").GetString().Should().Contain("appeared within 1.5 s");
    }

    [Fact]
    public async Task Download_BareWaitBeforeTheFile_LeavesTheFileToTheCommand()
    {
        byte[] firmware = SimCli.Random(512, seed: 3);

        CliRun run = await _cli.RunAsync("download", "--wait", _dir.Write("fw.bin", firmware), "--address", "0x08000000", "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(0, run.ToString());
        _cli.Device.ReadMemory(Flash, firmware.Length).Should().Equal(firmware);
    }

    [Fact]
    public async Task List_BareWait_WaitsForTheFirstBoard()
    {
        CliRun run = await RunWithLateBoardsAsync([("dfu11", "1-4", TimeSpan.FromSeconds(12))], "list", "--wait", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("devices").GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task List_BareWaitAndNoBoard_GivesUpAfterThirtySeconds()
    {
        CliRun run = await _cli.RunAsync("list", "--wait");

        run.ExitCode.Should().Be(69, run.ToString());
        _cli.Time.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Download_WaitWithSeveralDevices_WaitsUntilEachHasAppeared()
    {
        byte[] firmware = SimCli.Random(2048, seed: 4);

        CliRun run = await RunWithLateBoardsAsync(
            [("stm32f4", "1-1", TimeSpan.FromSeconds(1)), ("stm32f4", "1-2", TimeSpan.FromSeconds(4))],
            "download", _dir.Write("fw.bin", firmware), "--address", "0x08000000", "--device", "path=1-1", "--device", "path=1-2", "--wait", "10", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("succeeded").GetInt32().Should().Be(2);
        _cli.UsbBus.Devices.Should().HaveCount(2).And.AllSatisfy(d => d.ReadMemory(Flash, firmware.Length).Should().Equal(firmware));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("nan")]
    public async Task Wait_NotAPositiveNumber_Exits64(string seconds)
    {
        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--wait", seconds);

        run.ExitCode.Should().Be(64, run.ToString());
    }

    [Fact]
    public async Task Timeout_OnInfoAndErase_IsAccepted()
    {
        CliRun info = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--timeout", "1500");
        CliRun erase = await _cli.RunAsync("erase", "--device", "sim:stm32f4", "--address", "0x08000000", "--length", "4", "--timeout", "1500");

        info.ExitCode.Should().Be(0, info.ToString());
        erase.ExitCode.Should().Be(0, erase.ToString());
    }

    [Fact]
    public async Task Timeout_Zero_Exits64OnEveryDeviceCommand()
    {
        string fw = _dir.Write("fw.bin", SimCli.Random(16, seed: 5));
        foreach (string[] args in new[]
                 {
                     new[] { "download", fw, "--address", "0x08000000" },
                     ["upload", _dir.File("out.bin")],
                     ["erase", "--mass"],
                     ["detach"],
                     ["info"],
                     ["unprotect"],
                     ["leave"],
                     ["reset"],
                 })
        {
            CliRun run = await _cli.RunAsync([.. args, "--device", "sim:stm32f4", "--timeout", "0"]);

            run.ExitCode.Should().Be(64, $"{args[0]}: {run}");
            run.Stderr.Should().Contain("--timeout must be at least 1 ms");
        }
    }

    [Fact]
    public async Task Timeout_DeviceThatNeverAnswers_FailsAfterTheShorterTimeout()
    {
        _cli.Options = new SimulatedDeviceOptions { Faults = SimulatedFaults.Of(SimulatedFault.GetStatusNeverAnswers()) };

        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--timeout", "300");

        run.ExitCode.Should().NotBe(ExitCodes.Ok, run.ToString());
        _cli.Time.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "the default timeout is 5 s and --timeout asked for 0.3 s");
    }

    // A bus that plugs its boards in after a delay on the clock, counted from the first listing.
    // Each board is plugged in from the timer's callback, which the virtual clock runs before it moves on.
    private sealed class LateBus(SimulatedUsbBus bus, (string Profile, string Path, TimeSpan After)[] boards) : IUsbDeviceProvider
    {
        private readonly List<ITimer> _timers = [];
        private int _listed;

        public TimeProvider TimeProvider => bus.TimeProvider;

        public ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _listed, 1) == 0)
            {
                foreach ((string profile, string path, TimeSpan after) in boards)
                {
                    lock (_timers)
                    {
                        _timers.Add(bus.TimeProvider.CreateTimer(
                            _ => bus.Add(profile, new SimulatedDeviceOptions { PortPath = path }), null, after, Timeout.InfiniteTimeSpan));
                    }
                }
            }

            return bus.EnumerateAsync(cancellationToken);
        }

        public ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default)
            => bus.OpenAsync(device, cancellationToken);

        public ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
            => bus.WaitForArrivalAsync(timeout, cancellationToken);

        public IAsyncEnumerable<UsbDeviceChange> WatchAsync(CancellationToken cancellationToken = default)
            => bus.WatchAsync(cancellationToken);
    }
}
