using System.Collections.ObjectModel;
using System.Globalization;

using DfuSharp.Cli.Files;
using DfuSharp.Usb;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace DfuSharp.Cli.Ui;

/// <summary>
/// The demonstrator's window: boards (live), properties of the selected board (and of the chosen firmware file), the
/// action pane (file picker, "store present firmware first", "verify", Start, Abort, upload, erase, detach, leave, Get
/// Commands, the file generator, a bar per phase and an overall bar) and the log. q or F10 quits.
/// Several boards can run at once: each has its own job (token, progress, status); the bars and the status line show
/// the selected board's, and the board list marks busy boards. Work from other threads (the watch, the jobs) reaches
/// the views through <c>onUi</c>: the application's <c>Invoke</c>.
/// </summary>
internal sealed class DemoWindow : Window
{
    private const int MaxLogLines = 500;

    private readonly DemoBoards _boards;
    private readonly Action<Action> _onUi;
    private readonly IDemoPrompts _prompts;
    private readonly UiLoggerProvider? _logging;
    private readonly Button _level;
    private readonly DfuDeviceOptions _options;
    private readonly ObservableCollection<string> _lines = [];
    private readonly ListView _list;
    private readonly ListView _properties;
    private readonly ObservableCollection<string> _propertyLines = [];
    private readonly List<PropertyLine> _propertyItems = [];
    private readonly TextField _file;
    private readonly TextField _backupFile;
    private readonly TextField _uploadFile;
    private readonly TextField _erase;
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
    private readonly Dictionary<string, BoardJob> _jobs = [];
    private readonly List<Task> _allJobs = [];
    private IReadOnlyList<string> _fileLines = [];
    private IReadOnlyList<UsbDeviceInfo> _shown = [];

    public DemoWindow(DemoBoards boards, DfuDeviceOptions options, string? firmware, Action<Action> onUi, UiLoggerProvider? logging = null, IDemoPrompts? prompts = null)
    {
        _onUi = onUi;
        _logging = logging;
        _boards = boards;
        _options = options;
        _prompts = prompts ?? new TerminalPrompts(() => App);
        Title = "DfuSharp demonstrator (q/F10 quit, Tab next pane)";

        var boardPane = new FrameView { Title = "Boards", X = 0, Y = 0, Width = Dim.Percent(40), Height = Dim.Percent(30) };
        _list = new ListView { Width = Dim.Fill(), Height = Dim.Fill() };
        _list.SetSource(_lines);
        _list.ValueChanged += (_, _) => ShowSelected();
        boardPane.Add(_list);

        var propertyPane = new FrameView { Title = "Properties", X = Pos.Right(boardPane), Y = 0, Width = Dim.Fill(), Height = Dim.Percent(60) };

        // A list, so that a long sector table scrolls (arrows, PageDown, mouse wheel); Enter on a sector picks it.
        _properties = new ListView { Width = Dim.Fill(), Height = Dim.Fill() };
        _properties.SetSource(_propertyLines);
        _properties.Accepting += (_, e) =>
        {
            e.Handled = true;
            PickSector(_properties.SelectedItem ?? -1);
        };
        propertyPane.Add(_properties);

        var actionPane = new FrameView { Title = "Actions", X = 0, Y = Pos.Bottom(boardPane), Width = Dim.Percent(40), Height = Dim.Fill() };
        var fileLabel = new Label { Text = "Firmware:", X = 0, Y = 0 };
        var browse = new Button { Text = "_Browse", X = Pos.Right(fileLabel) + 1, Y = 0 };
        browse.Accepting += (_, e) =>
        {
            e.Handled = true;
            Browse();
        };
        var check = new Button { Text = "_Check", X = Pos.Right(browse) + 1, Y = 0 };
        check.Accepting += (_, e) =>
        {
            e.Handled = true;
            CheckFile();
        };
        _file = new TextField { Text = firmware ?? string.Empty, X = 0, Y = 1, Width = Dim.Fill() };
        _backup = new CheckBox { Text = "Store present _firmware first", X = 0, Y = 2 };
        var backupLabel = new Label { Text = "Backup to:", X = 0, Y = 3 };
        _backupFile = new TextField { Text = "backup.dfu", X = Pos.Right(backupLabel) + 1, Y = 3, Width = Dim.Fill() };
        _verify = new CheckBox { Text = "_Verify", X = 0, Y = 4 };
        _force = new CheckBox { Text = "F_orce", X = Pos.Right(_verify) + 2, Y = 4 };
        _consent = new CheckBox { Text = "Allow option bytes/_irreversible", X = 0, Y = 5 };
        _start = new Button { Text = "_Start", X = 0, Y = 6 };
        _abort = new Button { Text = "_Abort", X = Pos.Right(_start) + 1, Y = 6, Enabled = false };
        var generate = new Button { Text = "_New .dfu", X = Pos.Right(_abort) + 1, Y = 6 };
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
        generate.Accepting += (_, e) =>
        {
            e.Handled = true;
            OpenGenerator();
        };
        var phaseLabel = new Label { Text = "Phase", X = 0, Y = 8 };
        _phaseBar = new ProgressBar { X = 8, Y = 8, Width = Dim.Fill() };
        var overallLabel = new Label { Text = "Overall", X = 0, Y = 9 };
        _overallBar = new ProgressBar { X = 8, Y = 9, Width = Dim.Fill() };
        _status = new Label { Text = "Idle", X = 0, Y = 10, Width = Dim.Fill() };
        var uploadLabel = new Label { Text = "Upload to:", X = 0, Y = 11 };
        _uploadFile = new TextField { Text = "upload.bin", X = Pos.Right(uploadLabel) + 1, Y = 11, Width = Dim.Fill() };
        var upload = ActionButton("_Upload", 0, 12, UploadAsync);
        var detach = ActionButton("_Detach", Pos.Right(upload) + 1, 12, (d, _, ct) => DetachAsync(d, ct));
        var leave = ActionButton("L_eave", Pos.Right(detach) + 1, 12, (d, p, ct) => LeaveAsync(d, p, ct));
        var commands = ActionButton("_Get Commands", 0, 13, (d, _, ct) => GetCommandsAsync(d, ct));
        var eraseLabel = new Label { Text = "Erase:", X = 0, Y = 14 };
        _erase = new TextField { Text = string.Empty, X = Pos.Right(eraseLabel) + 1, Y = 14, Width = Dim.Fill() };
        var eraseRanges = new Button { Text = "Erase _ranges", X = 0, Y = 15 };
        eraseRanges.Accepting += (_, e) =>
        {
            e.Handled = true;
            EraseRanges();
        };
        var massErase = new Button { Text = "_Mass erase", X = Pos.Right(eraseRanges) + 1, Y = 15 };
        massErase.Accepting += (_, e) =>
        {
            e.Handled = true;
            MassErase();
        };
        actionPane.Add(fileLabel, browse, check, _file, _backup, backupLabel, _backupFile, _verify, _force, _consent, _start, _abort, generate);
        actionPane.Add(phaseLabel, _phaseBar, overallLabel, _overallBar, _status, uploadLabel, _uploadFile, upload, detach, leave, commands);
        actionPane.Add(eraseLabel, _erase, eraseRanges, massErase);

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

        // The buttons sit on consecutive rows; a shadow would cover the row under them.
        NoShadows(this);
        KeyDown += (_, key) => HandleQuitKey(key);
        _boards.Changed += () => OnUi(RefreshBoards);
        RefreshBoards();
    }

    /// <summary>Gets the text of the status line under the bars (the selected board's job).</summary>
    public string StatusText => _status.Text;

    /// <summary>Gets the text of the properties pane.</summary>
    public string PropertiesText => string.Join("\n", _propertyLines);

    /// <summary>Gets the lines of the board list.</summary>
    public IReadOnlyList<string> BoardLines => [.. _lines];

    /// <summary>Gets every line logged so far (the newest <see cref="MaxLogLines"/>).</summary>
    public IReadOnlyList<string> LogLines => [.. _logLines];

    /// <summary>Gets the text of the erase field.</summary>
    public string EraseText => _erase.Text;

    /// <summary>Gets the firmware path in the action pane.</summary>
    public string FirmwarePath => _file.Text;

    /// <summary>Gets the job started last, if any.</summary>
    public Task? Running { get; private set; }

    /// <summary>Gets the fractions the two bars show now.</summary>
    public (float Phase, float Overall) Bars => (_phaseBar.Fraction, _overallBar.Fraction);

    /// <summary>Gets how many times q or F10 asked the application to stop.</summary>
    public int QuitRequests { get; private set; }

    /// <summary>Gets the board list (for input tests).</summary>
    public ListView BoardList => _list;

    /// <summary>Gets the Start button (for input tests).</summary>
    public Button StartButton => _start;

    /// <summary>Gets the properties list (for input tests).</summary>
    public ListView PropertyList => _properties;

    /// <summary>Gets the erase field (for input tests).</summary>
    public TextField EraseField => _erase;

    /// <summary>Gets a task that completes when every job started so far has finished.</summary>
    public Task WhenIdle() => Task.WhenAll([.. _allJobs]);

    /// <summary>Selects the board on line <paramref name="index"/>.</summary>
    public void Select(int index)
    {
        _list.SelectedItem = index;
        ShowSelected();
    }

    /// <summary>Sets the upgrade fields.</summary>
    public void Configure(string firmware, string? backupPath, bool verify, bool force = false, bool consent = false)
    {
        _force.Value = force ? CheckState.Checked : CheckState.UnChecked;
        _consent.Value = consent ? CheckState.Checked : CheckState.UnChecked;
        _file.Text = firmware;
        _backup.Value = backupPath is null ? CheckState.UnChecked : CheckState.Checked;
        _backupFile.Text = backupPath ?? string.Empty;
        _verify.Value = verify ? CheckState.Checked : CheckState.UnChecked;
    }

    /// <summary>Sets the erase field.</summary>
    public void SetEraseRanges(string text) => _erase.Text = text;

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

    /// <summary>Starts the upgrade of the selected board with the pane's settings. A refusal that Force overrides, or
    /// one that needs consent, is asked about in a dialog; yes runs it again with that permission.</summary>
    public void Start()
    {
        var request = new UpgradeRequest(
            _file.Text, _backup.Value == CheckState.Checked ? _backupFile.Text : null, _verify.Value == CheckState.Checked,
            _force.Value == CheckState.Checked, _consent.Value == CheckState.Checked);
        StartJob("Upgrade", $"with {request.FirmwarePath}", (board, job, token) => UpgradeAsync(board, job, request, token));
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

    /// <summary>Runs one board operation (upload, detach, leave, Get Commands, erase) on the selected board as a job of
    /// its own, with Abort and the phase bar, as <see cref="Start"/> runs the upgrade.</summary>
    public void RunAction(string name, Func<DfuDevice, IProgress<DfuProgress>, CancellationToken, Task<string>> action)
        => StartJob(name, string.Empty, async (board, job, token) =>
        {
            var progress = new InlineProgress(p => Report(job, new UpgradeStatus(
                p.Phase, Fraction(p), Fraction(p), string.Create(CultureInfo.InvariantCulture, $"{p.Completed}/{p.Total}"))));
            await using DfuDevice device = await DfuDevice.OpenAsync(_boards.Provider, SelectorOf(board), _options, token).ConfigureAwait(false);
            return await action(device, progress, token).ConfigureAwait(false);
        });

    /// <summary>Aborts the selected board's job: its token is cancelled, as Ctrl+C cancels a CLI command.</summary>
    public void Abort()
    {
        if (Selected() is { } board && _jobs.TryGetValue(board.PortPath, out BoardJob? job) && !job.Finished)
        {
            job.Cancel.Cancel();
        }
    }

    /// <summary>Opens the file picker for the firmware, then shows the file's summary and its match with the board.</summary>
    public void Browse()
    {
        if (_prompts.PickFile("Firmware to write", _file.Text) is { } path)
        {
            _file.Text = path;
            CheckFile();
        }
    }

    /// <summary>Shows the firmware file's <c>file info</c> summary in the properties pane and, when a board is selected
    /// and free, the planner's verdict on it for that board.</summary>
    public void CheckFile()
    {
        string path = _file.Text;
        if (string.IsNullOrWhiteSpace(path))
        {
            _status.Text = "Choose a firmware file first (Browse)";
            return;
        }

        _fileLines = DemoFiles.Summary(path);
        ShowSelected();
        if (Selected() is not { } board || Busy(board))
        {
            return;
        }

        var request = new UpgradeRequest(path, null, _verify.Value == CheckState.Checked, _force.Value == CheckState.Checked, _consent.Value == CheckState.Checked);
        StartJob("Check", $"with {path}", async (b, job, token) =>
        {
            await using DfuDevice device = await DfuDevice.OpenAsync(_boards.Provider, SelectorOf(b), _options, token).ConfigureAwait(false);
            IReadOnlyList<string> match = await DemoFiles.MatchAsync(device, path, request, token).ConfigureAwait(false);
            OnUi(() =>
            {
                _fileLines = [.. DemoFiles.Summary(path), .. match];
                ShowSelected();
            });
            return match.LastOrDefault(l => l.StartsWith("Verdict", StringComparison.Ordinal)) ?? "Checked";
        });
    }

    /// <summary>Erases the ranges of the erase field on the selected board, after a confirmation.</summary>
    public void EraseRanges()
    {
        IReadOnlyList<EraseRange> ranges;
        try
        {
            ranges = EraseRange.ParseList(_erase.Text);
        }
        catch (FormatException ex)
        {
            _status.Text = ex.Message;
            return;
        }

        if (Selected() is not { } board
            || !_prompts.Confirm("Erase", $"Erase {string.Join(", ", ranges)} on {board.DisplayName}?\nEvery sector these ranges touch loses its data; this cannot be undone."))
        {
            _status.Text = Selected() is null ? "Select a board first" : "Erase not confirmed; nothing was erased";
            return;
        }

        RunAction("Erase", async (device, progress, token) =>
        {
            int sectors = 0;
            foreach (EraseRange range in ranges)
            {
                sectors += (await device.DfuSe.EraseAsync(range.Address, range.Length, range.AlternateSetting, progress, token).ConfigureAwait(false)).Length;
            }

            return string.Create(CultureInfo.InvariantCulture, $"Erased {sectors} sector(s)");
        });
    }

    /// <summary>Mass-erases the selected board, after a confirmation.</summary>
    public void MassErase()
    {
        if (Selected() is not { } board
            || !_prompts.Confirm("Mass erase", $"Mass-erase {board.DisplayName}?\nThe whole memory of the alternate setting loses its data; this cannot be undone."))
        {
            _status.Text = Selected() is null ? "Select a board first" : "Mass erase not confirmed; nothing was erased";
            return;
        }

        RunAction("Mass erase", async (device, progress, token) =>
        {
            await device.DfuSe.MassEraseAsync(null, progress, token).ConfigureAwait(false);
            return "Mass-erased";
        });
    }

    /// <summary>Adds the sector on line <paramref name="line"/> of the properties pane to the erase field.</summary>
    public void PickSector(int line)
    {
        if (line < 0 || line >= _propertyItems.Count || _propertyItems[line] is not { Sector: { } sector } item)
        {
            return;
        }

        string range = new EraseRange(sector.Address, sector.Size, item.AlternateSetting).ToString();
        _erase.Text = _erase.Text.Trim().Length == 0 ? range : _erase.Text.TrimEnd() + ", " + range;
    }

    /// <summary>Opens the file generator with the selected board's ids; the file it writes becomes the firmware.</summary>
    public void OpenGenerator()
    {
        UsbDeviceInfo? board = Selected();
        using var dialog = board is null ? new DemoGeneratorDialog() : new DemoGeneratorDialog(board.VendorId, board.ProductId, board.DeviceVersion);
        if (_prompts.Generate(dialog) is { } written)
        {
            AppendLog(dialog.StatusText);
            _file.Text = written;
            CheckFile();
        }
    }

    private static void NoShadows(View view)
    {
        foreach (View sub in view.SubViews)
        {
            if (sub is Button button)
            {
                button.ShadowStyle = ShadowStyles.None;
            }

            NoShadows(sub);
        }
    }

    private static float Fraction(DfuProgress p) => p.Total > 0 ? (float)Math.Clamp((double)p.Completed / p.Total, 0, 1) : 1;

    private static DfuDeviceSelector SelectorOf(UsbDeviceInfo board) => new() { PortPath = board.PortPath, SerialNumber = board.SerialNumber };

    private async Task<string> UpgradeAsync(UsbDeviceInfo board, BoardJob job, UpgradeRequest request, CancellationToken token)
    {
        while (true)
        {
            try
            {
                DownloadResult result = await DemoUpgrade.RunAsync(_boards.Provider, _options, board, request, s => Report(job, s), token).ConfigureAwait(false);
                return $"Done: {result.Plan.WriteBytes} bytes written{(result.Verified ? ", verified" : string.Empty)}";
            }
            catch (DfuFileMismatchException ex) when (ex.CanForce && !request.Force)
            {
                if (!await AskAsync("Refused", ex.Message + "\n\nWrite it anyway (--force)?").ConfigureAwait(false))
                {
                    return "Refused: " + ex.Message + " Not forced.";
                }

                request = request with { Force = true };
            }
            catch (DfuConsentRequiredException ex) when (!request.Consent)
            {
                if (!await AskAsync("Consent needed", ex.Message + "\n\nThis memory cannot be restored by a new download. Write it (--allow-option-bytes, --allow-irreversible)?").ConfigureAwait(false))
                {
                    return "Refused: " + ex.Message + " No consent given.";
                }

                request = request with { Consent = true };
            }

            OnUi(() => AppendLog($"{board.DisplayName}: confirmed; running again"));
        }
    }

    // A question from a job's thread: the dialog runs on the UI thread; the job waits for the answer.
    private Task<bool> AskAsync(string title, string message)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        OnUi(() => answer.TrySetResult(_prompts.Confirm(title, message)));
        return answer.Task;
    }

    private void StartJob(string name, string detail, Func<UsbDeviceInfo, BoardJob, CancellationToken, Task<string>> work)
    {
        if (Selected() is not { } board)
        {
            _status.Text = "Select a board first";
            return;
        }

        if (Busy(board))
        {
            _status.Text = "Busy: abort first";
            return;
        }

        if (_jobs.Remove(board.PortPath, out BoardJob? old))
        {
            old.Cancel.Dispose();
        }

        var job = new BoardJob(name);
        _jobs[board.PortPath] = job;
        CancellationToken token = job.Cancel.Token;
        AppendLog($"{name} of {board.DisplayName} {detail}".TrimEnd());
        ShowJob(board);
        RefreshLines();
        Running = Task.Run(() => FinishAsync(board, job, () => work(board, job, token), token), CancellationToken.None);
        _allJobs.Add(Running);
    }

    private async Task FinishAsync(UsbDeviceInfo board, BoardJob job, Func<Task<string>> work, CancellationToken token)
    {
        string outcome;
        try
        {
            outcome = await work().ConfigureAwait(false);
        }
        catch (DfuEraseCanceledException ex)
        {
            outcome = "Aborted: " + ex.Message;
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
        catch (Exception ex) when (ex is DfuException or IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            outcome = "Failed: " + ex.Message;
        }

        OnUi(() =>
        {
            job.Finished = true;
            job.Status = outcome;
            AppendLog($"{board.DisplayName}: {outcome}");
            RefreshLines();
            if (IsSelected(board))
            {
                ShowJob(board);
            }
        });
    }

    private void Report(BoardJob job, UpgradeStatus status) => OnUi(() =>
    {
        job.Progress = status;
        job.Status = $"{status.Phase}: {status.Text}";
        if (Selected() is { } board && _jobs.TryGetValue(board.PortPath, out BoardJob? shown) && shown == job)
        {
            ShowJob(board);
        }
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
        await CliFiles.WriteAtomicAsync(path, data, token).ConfigureAwait(false);
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

    private string LevelText() => "_Log level: " + (_logging?.MinimumLevel.ToString() ?? "off");

    private bool Busy(UsbDeviceInfo board) => _jobs.TryGetValue(board.PortPath, out BoardJob? job) && !job.Finished;

    private bool IsSelected(UsbDeviceInfo board) => Selected()?.PortPath == board.PortPath;

    private void RefreshBoards()
    {
        UsbDeviceInfo? selected = Selected();
        _shown = _boards.Boards;
        RefreshLines();
        if (_shown.Count > 0)
        {
            int index = selected is null ? 0 : Math.Max(0, _shown.ToList().FindIndex(b => b.PortPath == selected.PortPath));
            _list.SelectedItem = index;
        }

        ShowSelected();
    }

    // The board list, with the busy boards marked by their job's name.
    private void RefreshLines()
    {
        int? selected = _list.SelectedItem;
        _lines.Clear();
        foreach (UsbDeviceInfo board in _shown)
        {
            _lines.Add(DemoBoards.Line(board) + (_jobs.TryGetValue(board.PortPath, out BoardJob? job) && !job.Finished ? $" [{job.Name}]" : string.Empty));
        }

        if (selected is int i && i < _lines.Count)
        {
            _list.SelectedItem = i;
        }
    }

    private UsbDeviceInfo? Selected()
        => _list.SelectedItem is int i && i >= 0 && i < _shown.Count ? _shown[i] : null;

    private void ShowSelected()
    {
        UsbDeviceInfo? board = Selected();
        _propertyItems.Clear();
        _propertyItems.AddRange(board is null ? [new PropertyLine("No DFU board. Plug one in.")] : DemoBoards.DescribeLines(board));
        if (_fileLines.Count > 0)
        {
            _propertyItems.Add(new PropertyLine("Firmware file"));
            _propertyItems.AddRange(_fileLines.Select(l => new PropertyLine("  " + l)));
        }

        _propertyLines.Clear();
        foreach (PropertyLine line in _propertyItems)
        {
            _propertyLines.Add(line.Text);
        }

        if (board is not null)
        {
            ShowJob(board);
        }
    }

    // The bars, the status line and the Start/Abort buttons follow the selected board's job.
    private void ShowJob(UsbDeviceInfo board)
    {
        _jobs.TryGetValue(board.PortPath, out BoardJob? job);
        _phaseBar.Fraction = (float)(job?.Progress?.PhaseFraction ?? 0);
        _overallBar.Fraction = (float)(job?.Progress?.Overall ?? 0);
        _status.Text = job?.Status ?? "Idle";
        bool busy = job is { Finished: false };
        _start.Enabled = !busy;
        _abort.Enabled = busy;
    }

    /// <summary>
    /// Quits on F10, and on q unless a text field has the focus. The application's keyboard calls this before any view
    /// (<see cref="UiCommand"/> wires it): the lists search as letters are typed and would take q first. A dialog on top
    /// keeps its keys.
    /// </summary>
    public void HandleQuitKey(Key key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (App?.TopRunnableView is { } top && top != this)
        {
            return;
        }

        bool typing = _file.HasFocus || _backupFile.HasFocus || _uploadFile.HasFocus || _erase.HasFocus;
        if (key == Key.F10 || (!typing && (key == Key.Q || key == Key.Q.WithShift)))
        {
            key.Handled = true;
            Quit();
        }
    }

    private void Quit()
    {
        QuitRequests++;
        foreach (BoardJob job in _jobs.Values.Where(j => !j.Finished))
        {
            job.Cancel.Cancel();
        }

        App?.RequestStop();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (BoardJob job in _jobs.Values)
            {
                job.Cancel.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Reports on the caller's thread, as the views need it at once (Progress&lt;T&gt; would post).</summary>
    private sealed class InlineProgress(Action<DfuProgress> report) : IProgress<DfuProgress>
    {
        public void Report(DfuProgress value) => report(value);
    }

    /// <summary>One board's job: its token, its last progress and status; touched on the UI thread only.</summary>
    private sealed class BoardJob(string name)
    {
        public string Name { get; } = name;

        public CancellationTokenSource Cancel { get; } = new();

        public UpgradeStatus? Progress { get; set; }

        public string Status { get; set; } = "Starting";

        public bool Finished { get; set; }
    }
}
