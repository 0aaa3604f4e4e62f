using System.Drawing;

using DfuSharp.Cli.Ui;
using DfuSharp.Simulation;
using Terminal.Gui.Input;

namespace DfuSharp.Cli.Tests.Ui;

/// <summary>
/// Mouse and keys through Terminal.Gui's input path of the views (<c>NewMouseEvent</c>, <c>NewKeyDownEvent</c>), laid out
/// at 120×40 as in a terminal, against simulated boards. The full terminal run (driver, real keys) is <see cref="UiTmuxTests"/>.
/// </summary>
public sealed class DemoDriverTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);
    private static readonly string s_blinky = TestPaths.InRepo("samples", "blinky-stm32f4.dfu");

    private readonly VirtualTimeProvider _time = new();
    private readonly SimulatedUsbBus _bus;
    private readonly DemoBoards _boards;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _ui = new();

    public DemoDriverTests()
    {
        _bus = new SimulatedUsbBus(_time);
        _boards = new DemoBoards(_bus);
    }

    [Fact]
    public async Task MouseAndKeys_SelectBoardsStartUpgradesAndQuit()
    {
        SimulatedDfuDevice first = _bus.Add("stm32f4", new SimulatedDeviceOptions { TimeProvider = _time, SerialNumber = "A1" });
        SimulatedDfuDevice second = _bus.Add("stm32f4", new SimulatedDeviceOptions { TimeProvider = _time, SerialNumber = "B2" });
        byte[] expected = File.ReadAllBytes(TestPaths.InRepo("samples", "blinky-stm32f4.bin"));
        using DemoWindow window = await OpenAsync(2);

        // Mouse: a click on the second line of the board list selects that board; a click on Start upgrades it.
        lock (_ui)
        {
            window.Configure(s_blinky, null, verify: true);
            Click(window.BoardList, new Point(2, 1));
            window.PropertiesText.Should().Contain("Serial       B2");
            Click(window.StartButton, new Point(1, 0));
        }

        await window.Running!.WaitAsync(s_bound);
        lock (_ui)
        {
            window.StatusText.Should().Be("Done: 4096 bytes written, verified");
        }

        second.ReadMemory(0x0800_0000, expected.Length).Should().Equal(expected);
        first.ReadMemory(0x0800_0000, 4).Should().Equal(0xFF, 0xFF, 0xFF, 0xFF);

        // Keys: Up in the board list selects the first board, Alt+S (the Start button's hot key) starts it.
        lock (_ui)
        {
            window.BoardList.SetFocus();
            window.NewKeyDownEvent(Key.CursorUp);
            window.PropertiesText.Should().Contain("Serial       A1");
            window.StatusText.Should().Be("Idle");
            window.NewKeyDownEvent(Key.S.WithAlt);
        }

        await window.Running!.WaitAsync(s_bound);
        lock (_ui)
        {
            window.StatusText.Should().Be("Done: 4096 bytes written, verified");
        }

        first.ReadMemory(0x0800_0000, expected.Length).Should().Equal(expected);
    }

    [Fact]
    public async Task Quit_F10Anywhere_QOutsideTextFields()
    {
        _bus.Add("stm32f4");
        using DemoWindow window = await OpenAsync(1);

        window.EraseField.SetFocus();
        window.NewKeyDownEvent(Key.Q);
        window.QuitRequests.Should().Be(0, "q is typed into the erase field");
        window.EraseText.Should().Be("q");
        window.NewKeyDownEvent(Key.F10);
        window.QuitRequests.Should().Be(1);

        // The list searches as letters are typed; the application's keyboard hands q to the window first.
        window.BoardList.SetFocus();
        window.HandleQuitKey(Key.Q);
        window.QuitRequests.Should().Be(2);
    }

    [Fact]
    public async Task EnterOnASectorLine_AddsThatSectorToTheEraseField()
    {
        _bus.Add("stm32f4");
        using DemoWindow window = await OpenAsync(1);
        int line = window.PropertiesText.Split('\n').ToList().FindIndex(l => l.StartsWith("  11  0x080E0000", StringComparison.Ordinal));

        window.PropertyList.SetFocus();
        window.PropertyList.SelectedItem = line;
        window.NewKeyDownEvent(Key.Enter);

        window.EraseText.Should().Be("0x080E0000+131072");
    }

    [Theory]
    [InlineData(null, null, "en_US.UTF-8", true)]
    [InlineData(null, null, "C.utf8", true)]
    [InlineData("C", null, "en_US.UTF-8", false)]
    [InlineData(null, "POSIX", "en_US.UTF-8", false)]
    [InlineData("", "de_DE.UTF-8", "C", true)]
    [InlineData(null, null, null, false)]
    [InlineData(null, null, "en_US.ISO-8859-1", false)]
    public void LocaleIsUtf8_FollowsTheFirstSetVariable(string? lcAll, string? lcCtype, string? lang, bool utf8)
    {
        var environment = new Dictionary<string, string?> { ["LC_ALL"] = lcAll, ["LC_CTYPE"] = lcCtype, ["LANG"] = lang };

        DemoGlyphs.LocaleIsUtf8(name => environment[name], isWindows: false).Should().Be(utf8);
        DemoGlyphs.LocaleIsUtf8(name => environment[name], isWindows: true).Should().BeTrue();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private static void Click(Terminal.Gui.ViewBase.View view, Point at)
    {
        foreach (MouseFlags flags in new[] { MouseFlags.LeftButtonPressed, MouseFlags.LeftButtonReleased, MouseFlags.LeftButtonClicked })
        {
            view.NewMouseEvent(new Mouse { Position = at, Flags = flags, View = view });
        }
    }

    private async Task<DemoWindow> OpenAsync(int boards)
    {
        var window = new DemoWindow(_boards, new DfuDeviceOptions { TimeProvider = _time }, null, action =>
        {
            lock (_ui)
            {
                action();
            }
        }, prompts: new ScriptedPrompts());
        window.Layout(new Size(120, 40));
        _ = _boards.WatchAsync(_stop.Token);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            lock (_ui)
            {
                if (window.BoardLines.Count == boards)
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

        return window;
    }
}
