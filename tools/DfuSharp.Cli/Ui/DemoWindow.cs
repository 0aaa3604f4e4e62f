using System.Collections.ObjectModel;

using DfuSharp.Protocol;
using DfuSharp.Usb;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace DfuSharp.Cli.Ui;

/// <summary>
/// The demonstrator's window: boards (live), properties of the selected board, the upgrade pane (file, "store present
/// firmware first", "verify", Start, Abort, a bar per phase and an overall bar) and the log. q or F10 quits.
/// Work from other threads (the watch, an upgrade) reaches the views through <c>onUi</c>: the application's
/// <c>Invoke</c>.
/// </summary>
internal sealed class DemoWindow : Window
{
    private const int MaxLogLines = 500;

    private readonly DemoBoards _boards;
    private readonly Action<Action> _onUi;
    private readonly UiLoggerProvider? _logging;
    private readonly Button _level;
    private readonly DfuDeviceOptions _options;
    private readonly ObservableCollection<string> _lines = [];
    private readonly ListView _list;
    private readonly ListView _properties;
    private readonly ObservableCollection<string> _propertyLines = [];
    private readonly TextField _file;
    private readonly TextField _backupFile;
    private readonly TextField _uploadFile;
    private readonly CheckBox _backup;
    private readonly CheckBox _verify;
    private readonly CheckBox _force;
    private readonly CheckBox _consent;
    private readonly Button _start;
    private readonly Button _abort;
    private readonly ProgressBar _phaseBar;
    private readonly ProgressBar _overallBar;
    private readonly Label _status;
    private readonly Label _log;
    private readonly List<string> _logLines = [];
    private IReadOnlyList<UsbDeviceInfo> _shown = [];
    private CancellationTokenSource? _running;

    public DemoWindow(DemoBoards boards, DfuDeviceOptions options, string? firmware, Action<Action> onUi, UiLoggerProvider? logging = null)
    {
        _onUi = onUi;
        _logging = logging;
        _boards = boards;
        _options = options;
        Title = "DfuSharp demonstrator (q/F10 quit, Tab next pane)";

        var boardPane = new FrameView { Title = "Boards", X = 0, Y = 0, Width = Dim.Percent(40), Height = Dim.Percent(40) };
        _list = new ListView { Width = Dim.Fill(), Height = Dim.Fill() };
        _list.SetSource(_lines);
        _list.ValueChanged += (_, _) => ShowSelected();
        boardPane.Add(_list);

        var propertyPane = new FrameView { Title = "Properties", X = Pos.Right(boardPane), Y = 0, Width = Dim.Fill(), Height = Dim.Percent(60) };
        // A list, so that a long sector table scrolls (arrows, PageDown, mouse wheel).
        _properties = new ListView { Width = Dim.Fill(), Height = Dim.Fill() };
        _properties.SetSource(_propertyLines);
        propertyPane.Add(_properties);

        var actionPane = new FrameView { Title = "Upgrade", X = 0, Y = Pos.Bottom(boardPane), Width = Dim.Percent(40), Height = Dim.Percent(60) };
        var fileLabel = new Label { Text = "Firmware (.dfu):", X = 0, Y = 0 };
        _file = new TextField { Text = firmware ?? string.Empty, X = 0, Y = 1, Width = Dim.Fill() };
        _backup = new CheckBox { Text = "Store present _firmware first", X = 0, Y = 2 };
        var backupLabel = new Label { Text = "Backup to:", X = 0, Y = 3 };
        _backupFile = new TextField { Text = "backup.dfu", X = Pos.Right(backupLabel) + 1, Y = 3, Width = Dim.Fill() };
        _verify = new CheckBox { Text = "_Verify", X = 0, Y = 4 };
        _force = new CheckBox { Text = "Force", X = Pos.Right(_verify) + 2, Y = 4 };
        _consent = new CheckBox { Text = "Allow option bytes/irreversible", X = 0, Y = 14 };
        _start = new Button { Text = "_Start", X = 0, Y = 5 };
        _abort = new Button { Text = "_Abort", X = Pos.Right(_start) + 1, Y = 5, Enabled = false };
        _start.Accepting += (_, e) =>
        {
            e.Handled = true;
            Start();
        };
        _abort.Accepting += (_, e) =>
        {
            e.Handled = true;
            Abort();
        };
        var phaseLabel = new Label { Text = "Phase", X = 0, Y = 7 };
        _phaseBar = new ProgressBar { X = 8, Y = 7, Width = Dim.Fill() };
        var overallLabel = new Label { Text = "Overall", X = 0, Y = 8 };
        _overallBar = new ProgressBar { X = 8, Y = 8, Width = Dim.Fill() };
        _status = new Label { Text = "Idle", X = 0, Y = 9, Width = Dim.Fill() };
        var uploadLabel = new Label { Text = "Upload to:", X = 0, Y = 10 };
        _uploadFile = new TextField { Text = "upload.bin", X = Pos.Right(uploadLabel) + 1, Y = 10, Width = Dim.Fill() };
        var upload = ActionButton("_Upload", 0, 11, UploadAsync);
        var detach = ActionButton("_Detach", Pos.Right(upload) + 1, 11, (d, _, ct) => DetachAsync(d, ct));
        var leave = ActionButton("L_eave", Pos.Right(detach) + 1, 11, (d, p, ct) => LeaveAsync(d, p, ct));
        var commands = ActionButton("_Get Commands", 0, 13, (d, _, ct) => GetCommandsAsync(d, ct));
        actionPane.Add(uploadLabel, _uploadFile, upload, detach, leave, commands, _force, _consent);
        actionPane.Add(fileLabel, _file, _backup, backupLabel, _backupFile, _verify, _start, _abort, phaseLabel, _phaseBar, overallLabel, _overallBar, _status);

        var logPane = new FrameView { Title = "Log", X = Pos.Right(actionPane), Y = Pos.Bottom(propertyPane), Width = Dim.Fill(), Height = Dim.Fill() };
        _level = new Button { Text = LevelText(), X = 0, Y = 0 };
        _level.Accepting += (_, e) =>
        {
            e.Handled = true;
            CycleLevel();
        };
        _log = new Label { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill() };
        logPane.Add(_level, _log);

        Add(boardPane, propertyPane, actionPane, logPane);
        KeyDown += (_, key) =>
        {
            bool typing = _file.HasFocus || _backupFile.HasFocus;
            if (key == Key.F10 || (!typing && (key == Key.Q || key == Key.Q.WithShift)))
            {
                key.Handled = true;
                Quit();
            }
        };
        _boards.Changed += () => OnUi(RefreshBoards);
        RefreshBoards();
    }

    /// <summary>Gets the text of the status line under the bars.</summary>
    public string StatusText => _status.Text;

    /// <summary>Gets the text of the properties pane.</summary>
    public string PropertiesText => string.Join("\n", _propertyLines);

    /// <summary>Gets the lines of the board list.</summary>
    public IReadOnlyList<string> BoardLines => [.. _lines];

    /// <summary>Gets every line logged so far (the newest <see cref="MaxLogLines"/>).</summary>
    public IReadOnlyList<string> LogLines => [.. _logLines];

    /// <summary>Gets the running upgrade, if any.</summary>
    public Task? Running { get; private set; }

    /// <summary>Selects the board on line <paramref name="index"/>.</summary>
    public void Select(int index)
    {
        _list.SelectedItem = index;
        ShowSelected();
    }

    /// <summary>Sets the upgrade pane's fields.</summary>
    public void Configure(string firmware, string? backupPath, bool verify, bool force = false, bool consent = false)
    {
        _force.Value = force ? CheckState.Checked : CheckState.UnChecked;
        _consent.Value = consent ? CheckState.Checked : CheckState.UnChecked;
        _file.Text = firmware;
        _backup.Value = backupPath is null ? CheckState.UnChecked : CheckState.Checked;
        _backupFile.Text = backupPath ?? string.Empty;
        _verify.Value = verify ? CheckState.Checked : CheckState.UnChecked;
    }

    /// <summary>Appends a line to the log pane (on the UI thread).</summary>
    public void AppendLog(string line)
    {
        // The pane shows the newest lines that fit.
        _logLines.Add(line);
        int rows = Math.Max(1, _log.Viewport.Height);
        if (_logLines.Count > MaxLogLines)
        {
            _logLines.RemoveRange(0, _logLines.Count - MaxLogLines);
        }

        _log.Text = string.Join("\n", _logLines.Skip(Math.Max(0, _logLines.Count - rows)));
    }

    /// <summary>Starts the upgrade of the selected board with the pane's settings.</summary>
    public void Start()
    {
        if (Running is { IsCompleted: false } || Selected() is not { } board)
        {
            _status.Text = Running is { IsCompleted: false } ? "Busy: abort first" : "Select a board first";
            return;
        }

        var request = new UpgradeRequest(
            _file.Text, _backup.Value == CheckState.Checked ? _backupFile.Text : null, _verify.Value == CheckState.Checked,
            _force.Value == CheckState.Checked, _consent.Value == CheckState.Checked);
        _running = new CancellationTokenSource();
        CancellationToken token = _running.Token;
        _start.Enabled = false;
        _abort.Enabled = true;
        _status.Text = "Starting";
        AppendLog($"Upgrade of {board.DisplayName} with {request.FirmwarePath}");
        Running = Task.Run(
            () => FinishAsync(
                async () =>
                {
                    DownloadResult result = await DemoUpgrade.RunAsync(_boards.Provider, _options, board, request, Report, token).ConfigureAwait(false);
                    return $"Done: {result.Plan.WriteBytes} bytes written{(result.Verified ? ", verified" : string.Empty)}";
                },
                token),
            token);
    }

    /// <summary>Shows the next log level: Trace, Debug, Information, Warning, Error, then Trace again.</summary>
    public void CycleLevel()
    {
        if (_logging is null)
        {
            return;
        }

        _logging.MinimumLevel = _logging.MinimumLevel >= Microsoft.Extensions.Logging.LogLevel.Error
            ? Microsoft.Extensions.Logging.LogLevel.Trace
            : _logging.MinimumLevel + 1;
        _level.Text = LevelText();
    }

    /// <summary>Runs one board operation (upload, detach, leave, Get Commands) on the selected board, with Abort and
    /// the phase bar, as <see cref="Start"/> runs the upgrade.</summary>
    public void RunAction(string name, Func<DfuDevice, IProgress<DfuProgress>, CancellationToken, Task<string>> action)
    {
        if (Running is { IsCompleted: false } || Selected() is not { } board)
        {
            _status.Text = Running is { IsCompleted: false } ? "Busy: abort first" : "Select a board first";
            return;
        }

        _running?.Dispose();
        _running = new CancellationTokenSource();
        CancellationToken token = _running.Token;
        _start.Enabled = false;
        _abort.Enabled = true;
        AppendLog($"{name} on {board.DisplayName}");
        var progress = new InlineProgress(p => Report(new UpgradeStatus(
            p.Phase, p.Total > 0 ? (double)p.Completed / p.Total : 1, p.Total > 0 ? (double)p.Completed / p.Total : 1,
            $"{p.Completed}/{p.Total}")));
        Running = Task.Run(() => FinishAsync(async () =>
        {
            await using DfuDevice device = await DfuDevice.OpenAsync(
                _boards.Provider, new DfuDeviceSelector { PortPath = board.PortPath, SerialNumber = board.SerialNumber }, _options, token).ConfigureAwait(false);
            return await action(device, progress, token).ConfigureAwait(false);
        }, token), token);
    }

    /// <summary>Aborts the running operation: its token is cancelled, as Ctrl+C cancels a CLI command.</summary>
    public void Abort() => _running?.Cancel();

    private async Task FinishAsync(Func<Task<string>> work, CancellationToken token)
    {
        string outcome;
        try
        {
            outcome = await work().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            outcome = "Aborted; the board is back in dfuIDLE";
        }
        catch (DfuFileMismatchException ex) when (ex.CanForce)
        {
            outcome = "Refused: " + ex.Message + " Tick 'Force' and Start again to write it anyway.";
        }
        catch (DfuConsentRequiredException ex)
        {
            outcome = "Refused: " + ex.Message + " Tick 'Allow option bytes/irreversible' and Start again to consent.";
        }
        catch (Exception ex) when (ex is DfuException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            outcome = "Failed: " + ex.Message;
        }

        OnUi(() =>
        {
            _status.Text = outcome;
            AppendLog(outcome);
            _start.Enabled = true;
            _abort.Enabled = false;
        });
    }

    private void Report(UpgradeStatus status) => OnUi(() =>
    {
        _phaseBar.Fraction = (float)status.PhaseFraction;
        _overallBar.Fraction = (float)status.Overall;
        _status.Text = $"{status.Phase}: {status.Text}";
    });

    private void OnUi(Action action) => _onUi(action);

    private Button ActionButton(string text, Pos x, Pos y, Func<DfuDevice, IProgress<DfuProgress>, CancellationToken, Task<string>> action)
    {
        var button = new Button { Text = text, X = x, Y = y };
        button.Accepting += (_, e) =>
        {
            e.Handled = true;
            RunAction(text.Replace("_", string.Empty, StringComparison.Ordinal), action);
        };
        return button;
    }

    private async Task<string> UploadAsync(DfuDevice device, IProgress<DfuProgress> progress, CancellationToken token)
    {
        string path = _uploadFile.Text;
        byte[] data = await device.UploadAsync(null, progress, token).ConfigureAwait(false);
        await File.WriteAllBytesAsync(path, data, token).ConfigureAwait(false);
        return $"Uploaded {data.Length} bytes to {path}";
    }

    private static async Task<string> DetachAsync(DfuDevice device, CancellationToken token)
    {
        await device.DetachAsync(null, token).ConfigureAwait(false);
        return $"Detached: {device.Info.DisplayName} is in {device.Mode} mode";
    }

    private static async Task<string> LeaveAsync(DfuDevice device, IProgress<DfuProgress> progress, CancellationToken token)
    {
        DfuLeaveOutcome outcome = await device.DfuSe.LeaveAsync(null, progress, token).ConfigureAwait(false);
        return $"Left DFU mode: {outcome}";
    }

    private static async Task<string> GetCommandsAsync(DfuDevice device, CancellationToken token)
    {
        var commands = await device.DfuSe.GetCommandsAsync(token).ConfigureAwait(false);
        return "Get Commands: " + string.Join(", ", commands);
    }

    /// <summary>Reports on the caller's thread, as the views need it at once (Progress&lt;T&gt; would post).</summary>
    private sealed class InlineProgress(Action<DfuProgress> report) : IProgress<DfuProgress>
    {
        public void Report(DfuProgress value) => report(value);
    }

    private string LevelText() => "_Log level: " + (_logging?.MinimumLevel.ToString() ?? "off");

    private void RefreshBoards()
    {
        UsbDeviceInfo? selected = Selected();
        _shown = _boards.Boards;
        _lines.Clear();
        foreach (UsbDeviceInfo board in _shown)
        {
            _lines.Add(DemoBoards.Line(board));
        }

        if (_shown.Count > 0)
        {
            int index = selected is null ? 0 : Math.Max(0, _shown.ToList().FindIndex(b => b.PortPath == selected.PortPath));
            _list.SelectedItem = index;
        }

        ShowSelected();
    }

    private UsbDeviceInfo? Selected()
        => _list.SelectedItem is int i && i >= 0 && i < _shown.Count ? _shown[i] : null;

    private void ShowSelected()
    {
        string text = Selected() is { } board ? DemoBoards.Describe(board) : "No DFU board. Plug one in.";
        _propertyLines.Clear();
        foreach (string line in text.Split('\n'))
        {
            _propertyLines.Add(line.TrimEnd('\r'));
        }
    }

    private void Quit()
    {
        _running?.Cancel();
        App?.RequestStop();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _running?.Dispose();
        }

        base.Dispose(disposing);
    }
}
