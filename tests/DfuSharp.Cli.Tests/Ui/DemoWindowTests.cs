using DfuSharp.Cli.Ui;
using DfuSharp.Formats;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Tests.Ui;

/// <summary>The demonstrator's views against simulated boards on virtual time, with work from other threads run at once.</summary>
public sealed class DemoWindowTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);
    private static readonly string s_blinky = TestPaths.InRepo("samples", "blinky-stm32f4.dfu");

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
    public async Task Upgrade_FileForAnotherBoard_AsksThenIsRefusedOrForced()
    {
        SimulatedDfuDevice board = _bus.Add(SimulatedProfiles.Stm32F4 with { ProductId = 0xDF12 });
        var prompts = new ScriptedPrompts { Answers = { false, true } };
        using DemoWindow window = await OpenAsync(1, prompts: prompts);
        window.Configure(s_blinky, null, verify: true);

        window.Start();
        await window.Running!.WaitAsync(s_bound);
        window.StatusText.Should().StartWith("Refused: ").And.Contain("0483:df12").And.EndWith("Not forced.");
        prompts.Asked.Should().ContainSingle().Which.Should().StartWith("Refused:").And.Contain("Write it anyway (--force)?");
        board.ReadMemory(0x0800_0000, 4).Should().Equal(0xFF, 0xFF, 0xFF, 0xFF);

        window.Start();
        await window.Running!.WaitAsync(s_bound);
        window.StatusText.Should().Be("Done: 4096 bytes written, verified");
        prompts.Asked.Should().HaveCount(2);
        board.State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public async Task Upgrade_ForceTicked_WritesWithoutAsking()
    {
        _bus.Add(SimulatedProfiles.Stm32F4 with { ProductId = 0xDF12 });
        var prompts = new ScriptedPrompts();
        using DemoWindow window = await OpenAsync(1, prompts: prompts);
        window.Configure(s_blinky, null, verify: false, force: true);

        window.Start();
        await window.Running!.WaitAsync(s_bound);

        window.StatusText.Should().Be("Done: 4096 bytes written");
        prompts.Asked.Should().BeEmpty();
    }

    [Fact]
    public async Task EraseRanges_PickedSectorsConfirmed_ErasesThoseSectorsOnly()
    {
        SimulatedDfuDevice board = _bus.Add("stm32f4", new SimulatedDeviceOptions { TimeProvider = _time, InitialMemory = [new(0x0800_0000, [.. Enumerable.Repeat((byte)0x5A, 0x10000)])] });
        var prompts = new ScriptedPrompts { Answers = { true } };
        using DemoWindow window = await OpenAsync(1, prompts: prompts);
        window.Select(0);

        int sector1 = window.PropertiesText.Split('\n').ToList().FindIndex(l => l.StartsWith("  1   0x08004000", StringComparison.Ordinal));
        window.PickSector(sector1);
        window.PickSector(sector1 + 1);
        window.EraseText.Should().Be("0x08004000+16384, 0x08008000+16384");
        window.EraseRanges();
        await window.Running!.WaitAsync(s_bound);

        prompts.Asked.Should().ContainSingle().Which.Should().Contain("0x08004000+16384, 0x08008000+16384").And.Contain("cannot be undone");
        window.StatusText.Should().Be("Erased 2 sector(s)");
        board.ReadMemory(0x0800_0000, 0x4000).Should().OnlyContain(b => b == 0x5A);
        board.ReadMemory(0x0800_4000, 0x8000).Should().OnlyContain(b => b == 0xFF);
        board.ReadMemory(0x0800_C000, 0x4000).Should().OnlyContain(b => b == 0x5A);
    }

    [Fact]
    public async Task EraseRanges_NotConfirmed_ErasesNothing()
    {
        SimulatedDfuDevice board = _bus.Add("stm32f4", new SimulatedDeviceOptions { TimeProvider = _time, InitialMemory = [new(0x0800_0000, [.. Enumerable.Repeat((byte)0x5A, 0x4000)])] });
        var prompts = new ScriptedPrompts { Answers = { false } };
        using DemoWindow window = await OpenAsync(1, prompts: prompts);
        window.SetEraseRanges("0x08000000+16K");

        window.EraseRanges();

        window.Running.Should().BeNull();
        window.StatusText.Should().Be("Erase not confirmed; nothing was erased");
        board.ReadMemory(0x0800_0000, 0x4000).Should().OnlyContain(b => b == 0x5A);
    }

    [Fact]
    public async Task EraseRanges_Malformed_SaysWhyAndAsksNothing()
    {
        _bus.Add("stm32f4");
        var prompts = new ScriptedPrompts();
        using DemoWindow window = await OpenAsync(1, prompts: prompts);
        window.SetEraseRanges("0x08000000");

        window.EraseRanges();

        window.StatusText.Should().Contain("'0x08000000' is not ADDR+LEN[@ALT]");
        prompts.Asked.Should().BeEmpty();
    }

    [Fact]
    public async Task MassErase_Confirmed_ErasesTheWholeFlash()
    {
        SimulatedDfuDevice board = _bus.Add("stm32f4", new SimulatedDeviceOptions { TimeProvider = _time, InitialMemory = [new(0x080E_0000, [.. Enumerable.Repeat((byte)0x5A, 16)])] });
        var prompts = new ScriptedPrompts { Answers = { true } };
        using DemoWindow window = await OpenAsync(1, prompts: prompts);

        window.MassErase();
        await window.Running!.WaitAsync(s_bound);

        prompts.Asked.Should().ContainSingle().Which.Should().StartWith("Mass erase:");
        window.StatusText.Should().Be("Mass-erased");
        board.ReadMemory(0x080E_0000, 16).Should().OnlyContain(b => b == 0xFF);
    }

    [Fact]
    public async Task EraseRanges_Aborted_StopsAndLeavesDfuIdle()
    {
        SimulatedDfuDevice board = _bus.Add("stm32f4");
        var prompts = new ScriptedPrompts { Answers = { true } };
        DemoWindow? window = null;
        bool aborted = false;
        window = await OpenAsync(1, prompts: prompts, afterUi: () =>
        {
            if (!aborted && window!.StatusText.StartsWith("Erase:", StringComparison.Ordinal))
            {
                aborted = true;
                window.Abort();
            }
        });
        using (window)
        {
            window.SetEraseRanges("0x08000000+1024K");
            window.EraseRanges();
            await window.Running!.WaitAsync(s_bound);

            aborted.Should().BeTrue();
            window.StatusText.Should().StartWith("Aborted");
            board.State.Should().Be(DfuState.DfuIdle);
        }
    }

    [Fact]
    public async Task Browse_DfuSeFile_ShowsFileInfoAndThePlannersVerdict()
    {
        _bus.Add("stm32f4");
        var prompts = new ScriptedPrompts { File = s_blinky };
        using DemoWindow window = await OpenAsync(1, prompts: prompts);

        window.Browse();
        await window.Running!.WaitAsync(s_bound);

        window.FirmwarePath.Should().Be(s_blinky);
        window.PropertiesText.Should().Contain("Firmware file")
            .And.Contain("blinky-stm32f4.dfu: DfuSe file")
            .And.Contain("CRC        0x")
            .And.Contain("target     alt 0")
            .And.Contain("Ids: file 0483:df11")
            .And.Contain("Verdict: fits; writes 4096 bytes in 1 segment(s), erases 1 sector(s)");
        window.StatusText.Should().StartWith("Verdict: fits");
    }

    [Fact]
    public async Task CheckFile_ForAnotherBoard_SaysForceOverridesIt()
    {
        _bus.Add(SimulatedProfiles.Stm32F4 with { ProductId = 0xDF12 });
        using DemoWindow window = await OpenAsync(1);
        window.Configure(s_blinky, null, verify: false);

        window.CheckFile();
        await window.Running!.WaitAsync(s_bound);

        window.PropertiesText.Should().Contain("Verdict: refused, Force overrides it: ");
    }

    [Fact]
    public async Task Generator_BinToDfuSe_WritesThePackedFileAndMakesItTheFirmware()
    {
        _bus.Add("stm32f4");
        string output = _dir.File("gen.dfu");
        string bin = TestPaths.InRepo("samples", "blinky-stm32f4.bin");
        var prompts = new ScriptedPrompts
        {
            Generator = dialog =>
            {
                dialog.Configure($"0x08000000:{bin}", output, dfuSe: true, "0x0483", "0xDF11", "0x0000", "0", "Internal Flash");
                return dialog.Generate() ? dialog.Written : null;
            },
        };
        using DemoWindow window = await OpenAsync(1, prompts: prompts);

        window.OpenGenerator();
        await window.Running!.WaitAsync(s_bound);

        window.FirmwarePath.Should().Be(output);
        DfuFile file = DfuFile.Read(File.ReadAllBytes(output));
        DfuSeTarget target = file.DfuSe!.Targets.Should().ContainSingle().Subject;
        target.Name.Should().Be("Internal Flash");
        target.Elements.Should().ContainSingle().Which.Address.Should().Be(0x0800_0000u);
        target.Elements[0].Data.ToArray().Should().Equal(File.ReadAllBytes(bin));
        window.PropertiesText.Should().Contain("Verdict: fits");
    }

    [Fact]
    public void Generator_PlainDfu_IsTheImageWithASuffix()
    {
        string output = _dir.File("plain.dfu");
        string bin = TestPaths.InRepo("samples", "blinky-stm32f4.bin");
        using var dialog = new DemoGeneratorDialog();
        dialog.Configure($"0:{bin}", output, dfuSe: false, "0x1234", "0x5678", "0x0100", "0", null);

        dialog.Generate().Should().BeTrue(dialog.StatusText);

        DfuFile file = DfuFile.Read(File.ReadAllBytes(output));
        file.DfuSe.Should().BeNull();
        file.Firmware.ToArray().Should().Equal(File.ReadAllBytes(bin));
        file.Suffix!.VendorId.Should().Be(0x1234);
        file.Suffix.ProductId.Should().Be(0x5678);
        file.Suffix.DeviceVersion.Should().Be(0x0100);
        file.Suffix.DfuVersion.Should().Be(DfuSuffix.Dfu10);
    }

    [Fact]
    public void Generator_BadInput_SaysWhyAndWritesNothing()
    {
        string output = _dir.File("none.dfu");
        using var dialog = new DemoGeneratorDialog();
        dialog.Configure("app.bin", output, dfuSe: true, "0x0483", "0xDF11", "0", "0", null);

        dialog.Generate().Should().BeFalse();

        dialog.StatusText.Should().StartWith("Not written: 'app.bin': give a .hex or .srec file, or ADDR:FILE");
        File.Exists(output).Should().BeFalse();
    }

    [Fact]
    public async Task TwoBoards_UpgradedAtOnce_EachHasItsOwnJobAndProgress()
    {
        SimulatedDfuDevice first = _bus.Add("stm32f4", new SimulatedDeviceOptions { TimeProvider = _time, SerialNumber = "A1" });
        SimulatedDfuDevice second = _bus.Add("stm32f4", new SimulatedDeviceOptions { TimeProvider = _time, SerialNumber = "B2" });
        using DemoWindow window = await OpenAsync(2);
        window.Configure(s_blinky, null, verify: true);
        Task one;
        Task two;
        lock (_ui)
        {
            window.Select(0);
            window.Start();
            one = window.Running!;
            window.Select(1);
            window.StatusText.Should().Be("Idle", "the second board has no job yet");
            window.Start();
            two = window.Running!;
            window.BoardLines.Should().AllSatisfy(l => l.Should().EndWith("[Upgrade]"));
        }

        await Task.WhenAll(one, two).WaitAsync(s_bound);

        window.BoardLines.Should().AllSatisfy(l => l.Should().NotContain("["));
        byte[] expected = File.ReadAllBytes(TestPaths.InRepo("samples", "blinky-stm32f4.bin"));
        first.ReadMemory(0x0800_0000, expected.Length).Should().Equal(expected);
        second.ReadMemory(0x0800_0000, expected.Length).Should().Equal(expected);
        window.Select(0);
        window.StatusText.Should().Be("Done: 4096 bytes written, verified");
        window.Bars.Overall.Should().Be(1);
        window.Select(1);
        window.StatusText.Should().Be("Done: 4096 bytes written, verified");
    }

    [Fact]
    public async Task HidApplication_OfSt_IsListedAsHidAndDetaches()
    {
        _bus.Add("hid-runtime");
        using DemoWindow window = await OpenAsync(1);
        window.BoardLines[0].Should().Contain("0483:5750 hid ");
        window.PropertiesText.Should().Contain("Mode         hid").And.Contain("ST's DETACH report");

        window.RunAction("Detach", async (device, _, ct) =>
        {
            await device.DetachAsync(null, ct);
            return $"Detached: {device.Mode}";
        });
        await window.Running!.WaitAsync(s_bound);

        window.StatusText.Should().Be("Detached: Dfu");
        await UntilAsync(() => window.BoardLines.Count == 1 && window.BoardLines[0].Contains("0483:df11 dfu", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HidCandidate_OtherVendor_IsNotListedUnlessNamed()
    {
        SimulatedDfuDevice other = _bus.Add(SimulatedProfiles.HidRuntime with { VendorId = 0x046D, ProductId = 0xC52B });
        UsbDeviceInfo info = (await _bus.EnumerateAsync()).Single(d => d.VendorId == 0x046D);

        DemoBoards.IsHidCandidate(info, []).Should().BeFalse("an unknown vendor's HID device may be a keyboard");
        DemoBoards.IsHidCandidate(info, [(0x046D, 0xC52B)]).Should().BeTrue("the user named it with --hid");
        other.Should().NotBeNull();
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

    private async Task<DemoWindow> OpenAsync(int boards, Action? afterUi = null, IDemoPrompts? prompts = null)
    {
        var window = new DemoWindow(_boards, new DfuDeviceOptions { TimeProvider = _time }, null, action =>
        {
            lock (_ui)
            {
                action();
                afterUi?.Invoke();
            }
        }, prompts: prompts ?? new ScriptedPrompts());
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

/// <summary>Answers the demonstrator's questions from a script and records them.</summary>
internal sealed class ScriptedPrompts : IDemoPrompts
{
    /// <summary>Gets the answers to give, in order; a question with no answer left is answered no.</summary>
    public List<bool> Answers { get; } = [];

    /// <summary>Gets the questions asked, as "title: message".</summary>
    public List<string> Asked { get; } = [];

    /// <summary>Gets or sets the file the picker returns.</summary>
    public string? File { get; set; }

    /// <summary>Gets or sets what the generator dialog does.</summary>
    public Func<DemoGeneratorDialog, string?>? Generator { get; set; }

    public bool Confirm(string title, string message)
    {
        bool answer = Asked.Count < Answers.Count && Answers[Asked.Count];
        Asked.Add($"{title}: {message}");
        return answer;
    }

    public string? PickFile(string title, string? current) => File;

    public string? Generate(DemoGeneratorDialog dialog) => Generator?.Invoke(dialog);
}
