using DfuSharp.Cli.Ui;
using DfuSharp.Formats;
using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests.Ui;

/// <summary>The demonstrator's views against simulated boards on virtual time, with work from other threads run at once.</summary>
public sealed class DemoWindowTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);
    private static readonly string s_blinky = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "blinky-stm32f4.dfu");

    private readonly TempDir _dir = new();
    private readonly VirtualTimeProvider _time = new();
    private readonly SimulatedUsbBus _bus;
    private readonly DemoBoards _boards;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _ui = new();

    public DemoWindowTests()
    {
        _bus = new SimulatedUsbBus(_time);
        _boards = new DemoBoards(_bus);
    }

    [Fact]
    public async Task SelectBoard_DfuSe_ShowsPropertiesAndSectorTable()
    {
        _bus.Add("stm32f4");
        using DemoWindow window = await OpenAsync(1);

        window.Select(0);

        window.BoardLines.Should().ContainSingle().Which.Should().Contain("0483:df11").And.Contain("sim-1");
        window.PropertiesText.Should().Contain("bcdDevice    2200")
            .And.Contain("Serial       3276375B3034")
            .And.Contain("(DfuSe)")
            .And.Contain("intf 0 alt 1: @Option Bytes")
            .And.Contain("Sectors of alt 0: Internal Flash")
            .And.Contain("  11  0x080E0000  128 KiB   readable,erasable,writable");
    }

    [Fact]
    public async Task PlugAndUnplug_SimulatedBoard_UpdatesTheList()
    {
        _bus.Add("dfu11");
        using DemoWindow window = await OpenAsync(1);

        SimulatedDfuDevice plugged = _bus.Add("stm32f4");
        await UntilAsync(() => window.BoardLines.Count == 2);
        window.BoardLines[1].Should().Contain("0483:df11");
        _bus.Unplug(plugged);
        await UntilAsync(() => window.BoardLines.Count == 1);
        window.BoardLines.Should().ContainSingle().Which.Should().Contain("sim-1");
    }

    [Fact]
    public async Task Upgrade_WithBackupAndVerify_WritesVerifiesAndStoresTheOldFirmware()
    {
        SimulatedDfuDevice board = _bus.Add("stm32f4");
        using DemoWindow window = await OpenAsync(1);
        string backup = _dir.File("old.dfu");
        window.Configure(s_blinky, backup, verify: true);

        window.Start();
        await window.Running!.WaitAsync(s_bound);

        window.StatusText.Should().Be("Done: 4096 bytes written, verified");
        byte[] expected = File.ReadAllBytes(Path.ChangeExtension(s_blinky, ".bin"));
        board.ReadMemory(0x0800_0000, expected.Length).Should().Equal(expected);
        DfuFile.Read(File.ReadAllBytes(backup)).Firmware.Length.Should().BeGreaterThan(0);
        window.LogLines.Should().Contain(l => l.StartsWith("Upgrade of 0483:df11", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Abort_DuringDownload_LeavesTheBoardInDfuIdle()
    {
        SimulatedDfuDevice board = _bus.Add("stm32f4");
        DemoWindow? window = null;
        bool aborted = false;
        window = await OpenAsync(1, afterUi: () =>
        {
            if (!aborted && window!.StatusText.StartsWith("Download", StringComparison.Ordinal))
            {
                aborted = true;
                window.Abort();
            }
        });
        using (window)
        {
            window.Configure(s_blinky, null, verify: true);
            window.Start();
            await window.Running!.WaitAsync(s_bound);

            aborted.Should().BeTrue();
            window.StatusText.Should().Be("Aborted; the board is back in dfuIDLE");
            board.State.Should().Be(DfuState.DfuIdle);
        }
    }

    [Fact]
    public async Task Detach_RuntimeBoard_ComesBackInDfuModeInTheList()
    {
        _bus.Add("runtime");
        using DemoWindow window = await OpenAsync(1);
        window.BoardLines[0].Should().Contain("runtime");

        window.RunAction("Detach", async (device, _, ct) =>
        {
            await device.DetachAsync(null, ct);
            return $"Detached: {device.Mode}";
        });
        await window.Running!.WaitAsync(s_bound);

        window.StatusText.Should().Be("Detached: Dfu");
        await UntilAsync(() => window.BoardLines.Count == 1 && window.BoardLines[0].Contains(" dfu ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetCommands_Stm32F4_ListsTheDfuSeCommands()
    {
        _bus.Add("stm32f4");
        using DemoWindow window = await OpenAsync(1);

        window.RunAction("Get Commands", async (device, _, ct) => string.Join(",", await device.DfuSe.GetCommandsAsync(ct)));
        await window.Running!.WaitAsync(s_bound);

        window.StatusText.Should().Contain("SetAddress").And.Contain("Erase");
    }

    [Fact]
    public async Task Upgrade_FileForAnotherBoard_IsRefusedWithTheReasonThenForced()
    {
        SimulatedDfuDevice board = _bus.Add(SimulatedProfiles.Stm32F4 with { ProductId = 0xDF12 });
        using DemoWindow window = await OpenAsync(1);
        window.Configure(s_blinky, null, verify: true);

        window.Start();
        await window.Running!.WaitAsync(s_bound);
        window.StatusText.Should().StartWith("Refused: ").And.Contain("Tick 'Force'");

        window.Configure(s_blinky, null, verify: true, force: true);
        window.Start();
        await window.Running!.WaitAsync(s_bound);
        window.StatusText.Should().Be("Done: 4096 bytes written, verified");
        board.State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void LogLevel_Cycled_ChangesWhatThePaneShows()
    {
        _bus.Add("stm32f4");
        var lines = new List<string>();
        var logging = new UiLoggerProvider(lines.Add);
        using var window = new DemoWindow(_boards, new DfuDeviceOptions { TimeProvider = _time, LoggerFactory = logging }, null, a => a(), logging);

        window.CycleLevel();
        logging.MinimumLevel.Should().Be(Microsoft.Extensions.Logging.LogLevel.Warning);
        logging.CreateLogger("DfuSharp.DfuDevice").IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information).Should().BeFalse();
        window.CycleLevel();
        window.CycleLevel();
        logging.MinimumLevel.Should().Be(Microsoft.Extensions.Logging.LogLevel.Trace);
        logging.CreateLogger("DfuSharp.DfuDevice").IsEnabled(Microsoft.Extensions.Logging.LogLevel.Trace).Should().BeTrue();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _dir.Dispose();
    }

    private async Task<DemoWindow> OpenAsync(int boards, Action? afterUi = null)
    {
        var window = new DemoWindow(_boards, new DfuDeviceOptions { TimeProvider = _time }, null, action =>
        {
            lock (_ui)
            {
                action();
                afterUi?.Invoke();
            }
        });
        _ = _boards.WatchAsync(_stop.Token);
        await UntilAsync(() => window.BoardLines.Count == boards);
        return window;
    }

    // Waits for the watch's thread to have updated the list: each change raises an event, so this checks on each one.
    private async Task UntilAsync(Func<bool> condition)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            lock (_ui)
            {
                if (condition())
                {
                    reached.TrySetResult();
                }
            }
        }

        _boards.Changed += Check;
        try
        {
            Check();
            await reached.Task.WaitAsync(s_bound);
        }
        finally
        {
            _boards.Changed -= Check;
        }
    }
}
