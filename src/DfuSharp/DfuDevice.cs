using System.Collections.Immutable;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Hid;
using DfuSharp.Planning;
using DfuSharp.Protocol;
using DfuSharp.Usb;
using Microsoft.Extensions.Logging;

namespace DfuSharp;

/// <summary>
/// A DFU device opened for a session: the API most callers use. It checks files against the device before anything is
/// sent, plans, runs the plan with the pacing the device asks for, reports progress, and brings the device back to
/// dfuIDLE after an error or a cancellation. It owns the transport it opened.
/// </summary>
public sealed partial class DfuDevice : IAsyncDisposable
{
    // A bound on GETSTATUS rounds for one request, so a device that answers "busy, wait 0 ms" forever cannot hang the host.
    private const int MaxPolls = 100_000;

    private readonly IUsbDeviceProvider _provider;
    private readonly DfuDeviceSelector _selector;
    private readonly DfuDeviceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Everything that belongs to one open transport, replaced as a whole by Swap (DfuDevice.Session.cs).
    private Connection _connection = null!;
    private DfuState? _lastState;
    private int _running;

    private DfuDevice(IUsbDeviceProvider provider, DfuDeviceSelector selector, DfuDeviceOptions options)
    {
        _provider = provider;
        _selector = selector;
        _options = options;
        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger("DfuSharp.DfuDevice");
    }

    /// <summary>Gets the device as it was enumerated (after a detach, the device in DFU mode).</summary>
    public UsbDeviceInfo Info => _connection.Info;

    /// <summary>Gets the DFU interface and alternate setting in use (for a HID application, its HID interface).</summary>
    public DfuInterfaceInfo Interface => _connection.Interface;

    /// <summary>Gets the DFU functional descriptor. For a HID application (<see cref="HidDetach"/> set) nothing is known
    /// until it is in DFU mode: a stand-in with only bitWillDetach set.</summary>
    public DfuFunctionalDescriptor Descriptor => _connection.Descriptor;

    /// <summary>Gets whether the device is in run-time or DFU mode (a HID application is in run-time mode).</summary>
    public DfuMode Mode => HidDetach is not null ? DfuMode.Runtime : Interface.Setting.Mode;

    /// <summary>
    /// Gets the DETACH report of a HID application that has no DFU interface but ST's HID detach (vendor usage page
    /// 0xFF00, usage 0x55), or <see langword="null"/>. <see cref="DetachAsync"/> sends it to switch the board to DFU mode.
    /// </summary>
    public HidDetachReport? HidDetach => _connection.HidDetach;

    /// <summary>Gets a value indicating whether the device speaks ST DfuSe (bcdDFUVersion 0x011A).</summary>
    public bool IsDfuSe => Descriptor.IsDfuSe;

    /// <summary>Gets the block size used: <see cref="DfuDeviceOptions.TransferSize"/> or wTransferSize.</summary>
    public int TransferSize => _options.TransferSize ?? Descriptor.TransferSize;

    /// <summary>Gets a value indicating whether the session is still open (false after leave, reset or dispose).</summary>
    public bool IsOpen => CurrentTransport is not null;

    private IUsbTransport? CurrentTransport => _connection?.Transport;

    private DfuClient? CurrentClient => _connection?.Client;

    /// <summary>Gets the alternate settings of the DFU interface in use.</summary>
    public IReadOnlyList<DfuInterfaceInfo> AlternateSettings
        => [.. Info.DfuInterfaces.Where(i => i.InterfaceNumber == Interface.InterfaceNumber)];

    /// <summary>Gets the low-level client on the current transport (advanced use).</summary>
    /// <exception cref="InvalidOperationException">The session is closed, or the board is a HID application that has no
    /// DFU interface until <see cref="DetachAsync"/> has switched it to DFU mode.</exception>
    public DfuClient Client => CurrentClient ?? throw (HidDetach is not null && CurrentTransport is not null
        ? new InvalidOperationException($"{Info.DisplayName} is a HID application without a DFU interface; detach it first.")
        : Closed());

    private IUsbTransport Transport => CurrentTransport ?? throw Closed();

    /// <summary>Lists the devices that have a DFU interface matching <paramref name="selector"/> (see
    /// <see cref="DfuDeviceSelector.Matches"/>): one entry per matching alternate setting.</summary>
    /// <param name="provider">The bus.</param>
    /// <param name="selector">What to match; every DFU device when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The matching DFU interfaces with their devices, in bus order.</returns>
    /// <exception cref="UsbTransportException">The bus could not be enumerated.</exception>
    public static async Task<IReadOnlyList<DfuInterfaceListing>> ListAsync(
        IUsbDeviceProvider provider, DfuDeviceSelector? selector = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        IReadOnlyList<UsbDeviceInfo> devices = await provider.EnumerateAsync(cancellationToken).ConfigureAwait(false);
        return [.. Candidates(devices, selector ?? new DfuDeviceSelector()).Select(c => new DfuInterfaceListing(c.Device, c.Interface))];
    }

    /// <summary>Opens the first device that matches <paramref name="selector"/>.</summary>
    /// <param name="provider">The bus.</param>
    /// <param name="selector">What to match; the first DFU device when <see langword="null"/>.</param>
    /// <param name="options">Session settings.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The open device; dispose it.</returns>
    /// <exception cref="DfuDeviceNotFoundException">No device matches.</exception>
    /// <exception cref="DfuProtocolException">The device has no DFU functional descriptor.</exception>
    /// <exception cref="UsbTransportException">The device could not be opened or claimed.</exception>
    public static Task<DfuDevice> OpenFirstAsync(
        IUsbDeviceProvider provider, DfuDeviceSelector? selector = null, DfuDeviceOptions? options = null,
        CancellationToken cancellationToken = default)
        => OpenCoreAsync(provider, selector, options, unique: false, cancellationToken);

    /// <summary>
    /// Opens the one board that matches <paramref name="selector"/>; with no selector, the one DFU-capable board present.
    /// Several DFU alternate settings of the same board, and interfaces that are not DFU interfaces, never make a match
    /// ambiguous; boards with the same serial number are told apart by their port path.
    /// </summary>
    /// <remarks>
    /// A device with a HID interface and no DFU interface is a candidate too when the selector names it (by its run-time
    /// ids, serial or path): opening it reads its report descriptor (GET_DESCRIPTOR 0x22), which must hold ST's DETACH
    /// report (usage page 0xFF00, usage 0x55); see <see cref="HidDetach"/>. An empty selector never picks a HID device:
    /// every keyboard would be a candidate, and reading its report descriptor would take it from its driver.
    /// </remarks>
    /// <param name="provider">The bus.</param>
    /// <param name="selector">What to match.</param>
    /// <param name="options">Session settings.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The open device; dispose it.</returns>
    /// <exception cref="DfuAmbiguousDeviceException">Several boards match (the message lists them with their serial
    /// numbers and port paths).</exception>
    /// <exception cref="DfuDeviceNotFoundException">No device matches, or the named HID device has no DETACH
    /// report.</exception>
    /// <exception cref="DfuProtocolException">The device has no DFU functional descriptor.</exception>
    /// <exception cref="UsbTransportException">The device could not be opened or claimed.</exception>
    public static Task<DfuDevice> OpenAsync(
        IUsbDeviceProvider provider, DfuDeviceSelector? selector = null, DfuDeviceOptions? options = null,
        CancellationToken cancellationToken = default)
        => OpenCoreAsync(provider, selector, options, unique: true, cancellationToken);

    /// <summary>Returns the DfuSe memory layout of an alternate setting.</summary>
    /// <param name="alternateSetting">The setting; the one in use when <see langword="null"/>.</param>
    /// <returns>The layout, or <see langword="null"/> when the setting's name is not a layout.</returns>
    /// <exception cref="DfuProtocolException">The setting's name starts with '@' but is malformed.</exception>
    public DfuSeMemoryLayout? GetLayout(byte? alternateSetting = null) => Target.GetLayout(alternateSetting ?? Interface.Setting.Number);

    /// <summary>Sends DFU_GETSTATUS once (no recovery) and reads the iString text when the status is an error.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The report and its text.</returns>
    /// <exception cref="UsbTransportException">The transfer failed.</exception>
    /// <exception cref="DfuProtocolException">The reply is malformed.</exception>
    public async Task<DfuStatusReading> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        DfuStatusReport report = await Client.GetStatusAsync(null, cancellationToken).ConfigureAwait(false);
        string? text = report.Status != DfuStatus.Ok ? await TryGetStatusTextAsync(report).ConfigureAwait(false) : null;
        return new DfuStatusReading(report, text);
    }

    /// <summary>
    /// Switches a run-time device to DFU mode (DFU 1.1 §5.1): DFU_DETACH, a USB reset when the device does not detach
    /// by itself (bitWillDetach clear), and a wait for the same board (same port path; the serial number where there is
    /// no path) to re-enumerate in DFU mode, with the selector's DFU-mode ids when it gave some, within
    /// <see cref="DfuDeviceOptions.ReenumerationTimeout"/>. A HID application (<see cref="HidDetach"/>) is sent its
    /// DETACH report instead (SET_REPORT, HID 1.11 §7.2.2) and then awaited the same way. Does nothing for a device
    /// already in DFU mode.
    /// </summary>
    /// <param name="progress">Receives <see cref="DfuPhase.Detach"/> reports.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the device is open in DFU mode.</returns>
    /// <exception cref="DfuReenumerationTimeoutException">The device did not come back in time.</exception>
    /// <exception cref="UsbTransportException">A transfer failed.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public Task DetachAsync(IProgress<DfuProgress>? progress = null, CancellationToken cancellationToken = default)
        => RunAsync("detach", async () =>
        {
            await EnsureDfuModeAsync(Track(progress), cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Gets what the planner knows of the device: identity, descriptor and alternate settings.</summary>
    public DfuTargetDevice Target => new()
    {
        VendorId = Info.VendorId,
        ProductId = Info.ProductId,
        DeviceVersion = Info.DeviceVersion,
        DisplayName = Info.DisplayName,
        Descriptor = Descriptor,
        AlternateSettings = [.. AlternateSettings.Select(a => a.Setting)],
        AlternateSetting = Interface.Setting.Number,
        TransferSize = _options.TransferSize,
        Mode = Mode,
    };

    /// <summary>
    /// Computes what <see cref="DownloadAsync(DfuFile, DownloadOptions?, IProgress{DfuProgress}?, CancellationToken)"/>
    /// would do, without any I/O, after checking the file against the device (see <see cref="TransferPlanner.Plan(DfuTargetDevice, DfuFile, DownloadOptions?)"/>).
    /// </summary>
    /// <param name="file">The file.</param>
    /// <param name="options">Download options.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="DfuFileMismatchException">The file does not fit the device (see <see cref="DfuFileMismatchException.CanForce"/>), or holds no data.</exception>
    /// <exception cref="DfuConsentRequiredException">The file writes option bytes or irreversible memory without consent.</exception>
    /// <exception cref="DfuFormatException">DfuSe elements give one address different bytes.</exception>
    /// <exception cref="NotSupportedException">The device cannot download, or cannot upload when verification or a
    /// backup is asked, or is in run-time mode and the file needs its DFU-mode layout.</exception>
    /// <exception cref="DfuProtocolException">The device's memory layout is malformed.</exception>
    public TransferPlan PlanDownload(DfuFile file, DownloadOptions? options = null) => TransferPlanner.Plan(Target, file, options);

    /// <summary>Computes what downloading a memory image would do, without any I/O (see
    /// <see cref="TransferPlanner.Plan(DfuTargetDevice, MemoryImage, byte?, DownloadOptions?)"/>).</summary>
    /// <param name="image">The data at its addresses (from .hex, .srec, or a .bin at an address).</param>
    /// <param name="alternateSetting">The memory it goes to; the selected one when <see langword="null"/>.</param>
    /// <param name="options">Download options.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="DfuFileMismatchException">The device speaks plain DFU, data lies outside the layout or in
    /// sectors that are not writable, or the image holds no data.</exception>
    /// <exception cref="DfuConsentRequiredException">The image writes option bytes or irreversible memory without consent.</exception>
    /// <exception cref="NotSupportedException">The device cannot download, or cannot upload when verification or a
    /// backup is asked, or is in run-time mode.</exception>
    /// <exception cref="DfuProtocolException">The device's memory layout is malformed.</exception>
    public TransferPlan PlanDownload(MemoryImage image, byte? alternateSetting = null, DownloadOptions? options = null)
        => TransferPlanner.Plan(Target, image, alternateSetting, options);

    /// <summary>
    /// Plans a download like <see cref="PlanDownload(DfuFile, DownloadOptions?)"/> and, with
    /// <see cref="DownloadOptions.SkipUnchanged"/>, runs the plan's check pass (reads only; nothing is erased or written)
    /// and applies it (<see cref="CheckUnchangedAsync"/>): the plan that a download would run now, with the unchanged
    /// sectors as <see cref="TransferStepKind.Keep"/> steps. What a dry run with skip-unchanged shows.
    /// </summary>
    /// <param name="file">The file.</param>
    /// <param name="options">Download options.</param>
    /// <param name="progress">Receives a report per block the check pass reads.</param>
    /// <param name="cancellationToken">Cancels the check pass; the device is aborted back to dfuIDLE.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="DfuFileMismatchException">The file does not fit the device (see <see cref="DfuFileMismatchException.CanForce"/>), or holds no data.</exception>
    /// <exception cref="DfuConsentRequiredException">The file writes option bytes or irreversible memory without consent.</exception>
    /// <exception cref="DfuFormatException">DfuSe elements give one address different bytes.</exception>
    /// <exception cref="NotSupportedException">The device cannot download, or cannot upload when verification, a
    /// backup or skip-unchanged is asked, or is in run-time mode and the file needs its DFU-mode layout.</exception>
    /// <exception cref="DfuProtocolException">The device's memory layout is malformed.</exception>
    /// <exception cref="UsbTransportException">The device could not be brought back to dfuIDLE after a failed read.</exception>
    /// <exception cref="OperationCanceledException">The check pass was cancelled.</exception>
    public async Task<TransferPlan> PlanDownloadAsync(
        DfuFile file, DownloadOptions? options = null, IProgress<DfuProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        TransferPlan plan = PlanDownload(file, options);
        return await CheckUnchangedAsync(plan, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Plans the download of a memory image like <see cref="PlanDownload(MemoryImage, byte?, DownloadOptions?)"/>
    /// and runs and applies its check pass, as <see cref="PlanDownloadAsync(DfuFile, DownloadOptions?, IProgress{DfuProgress}?, CancellationToken)"/> does.</summary>
    /// <param name="image">The data at its addresses.</param>
    /// <param name="alternateSetting">The memory it goes to; the selected one when <see langword="null"/>.</param>
    /// <param name="options">Download options.</param>
    /// <param name="progress">Receives a report per block the check pass reads.</param>
    /// <param name="cancellationToken">Cancels the check pass; the device is aborted back to dfuIDLE.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="DfuFileMismatchException">The device speaks plain DFU, data lies outside the layout or in
    /// sectors that are not writable, or the image holds no data.</exception>
    /// <exception cref="DfuConsentRequiredException">The image writes option bytes or irreversible memory without consent.</exception>
    /// <exception cref="NotSupportedException">The device cannot download, or cannot upload when verification, a
    /// backup or skip-unchanged is asked, or is in run-time mode.</exception>
    /// <exception cref="DfuProtocolException">The device's memory layout is malformed.</exception>
    /// <exception cref="UsbTransportException">The device could not be brought back to dfuIDLE after a failed read.</exception>
    /// <exception cref="OperationCanceledException">The check pass was cancelled.</exception>
    public async Task<TransferPlan> PlanDownloadAsync(
        MemoryImage image, byte? alternateSetting = null, DownloadOptions? options = null, IProgress<DfuProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        TransferPlan plan = PlanDownload(image, alternateSetting, options);
        return await CheckUnchangedAsync(plan, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the check pass of a plan made with <see cref="DownloadOptions.SkipUnchanged"/> (<see cref="TransferPlan.Check"/>:
    /// reads only) and returns the plan transformed by what it read (<see cref="TransferPlanner.ApplyReadBack"/>). A plan
    /// without a check pass, or whose check was applied, comes back as it is. <see cref="ExecuteAsync"/> runs the
    /// check itself when it is given a plan whose check was not applied; this is for showing the result first.
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="progress">Receives a report per block read.</param>
    /// <param name="cancellationToken">Cancels the reads; the device is aborted back to dfuIDLE.</param>
    /// <returns>The transformed plan.</returns>
    /// <exception cref="InvalidOperationException">The device is not in DFU mode, or the session is closed.</exception>
    /// <exception cref="UsbTransportException">The device could not be brought back to dfuIDLE after a failed read.</exception>
    /// <exception cref="OperationCanceledException">The check pass was cancelled.</exception>
    public Task<TransferPlan> CheckUnchangedAsync(
        TransferPlan plan, IProgress<DfuProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Check.IsEmpty || plan.ReadBackApplied)
        {
            return Task.FromResult(plan);
        }

        if (Mode != DfuMode.Dfu)
        {
            throw new InvalidOperationException($"{Info.DisplayName} is in run-time mode; detach it before checking a plan made in DFU mode.");
        }

        return RunAsync("check", () =>
        {
            var run = new ProgressTracker(progress, _time, null);
            run.Begin(plan, plan.Check);
            return CheckCoreAsync(plan, run, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// Downloads a file (host → device): detaches a run-time device, plans once (see <see cref="PlanDownload(DfuFile, DownloadOptions?)"/>),
    /// and runs the plan: backup, erase, write, manifest or leave, verify.
    /// </summary>
    /// <param name="file">The file.</param>
    /// <param name="options">Download options.</param>
    /// <param name="progress">Receives a report per sector erased and per block written or read.</param>
    /// <param name="cancellationToken">Cancels the download; the device is aborted back to dfuIDLE.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="DfuFileMismatchException">The file does not fit the device; nothing was written.</exception>
    /// <exception cref="DfuConsentRequiredException">The file writes option bytes or irreversible memory without consent; nothing was written.</exception>
    /// <exception cref="DfuFormatException">DfuSe elements give one address different bytes; nothing was written.</exception>
    /// <exception cref="DfuStatusException">The device reported an error (with block and address).</exception>
    /// <exception cref="DfuVerificationException">The read-back differs from the file.</exception>
    /// <exception cref="DfuProtocolException">The device broke the protocol.</exception>
    /// <exception cref="UsbTransportException">A transfer failed.</exception>
    /// <exception cref="DfuReenumerationTimeoutException">The device did not come back after detach or reset.</exception>
    /// <exception cref="NotSupportedException">The device lacks a needed capability.</exception>
    /// <exception cref="OperationCanceledException">The download was cancelled.</exception>
    public Task<DownloadResult> DownloadAsync(
        DfuFile file, DownloadOptions? options = null, IProgress<DfuProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        options ??= new DownloadOptions();
        return DownloadCoreAsync(() => PlanDownload(file, options), options, progress, cancellationToken);
    }

    /// <summary>
    /// Downloads a memory image (from .hex, .srec, or a .bin at an address) to one alternate setting of a DfuSe device:
    /// detaches a run-time device, plans once (see <see cref="PlanDownload(MemoryImage, byte?, DownloadOptions?)"/>), and runs the plan.
    /// </summary>
    /// <param name="image">The data at its addresses.</param>
    /// <param name="alternateSetting">The memory it goes to; the selected one when <see langword="null"/>.</param>
    /// <param name="options">Download options.</param>
    /// <param name="progress">Receives a report per sector erased and per block written or read.</param>
    /// <param name="cancellationToken">Cancels the download; the device is aborted back to dfuIDLE.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="DfuFileMismatchException">The image does not fit the device; nothing was written.</exception>
    /// <exception cref="DfuConsentRequiredException">The image writes option bytes or irreversible memory without consent; nothing was written.</exception>
    /// <exception cref="DfuStatusException">The device reported an error (with block and address).</exception>
    /// <exception cref="DfuVerificationException">The read-back differs from the image.</exception>
    /// <exception cref="DfuProtocolException">The device broke the protocol.</exception>
    /// <exception cref="UsbTransportException">A transfer failed.</exception>
    /// <exception cref="DfuReenumerationTimeoutException">The device did not come back after detach or reset.</exception>
    /// <exception cref="NotSupportedException">The device lacks a needed capability.</exception>
    /// <exception cref="OperationCanceledException">The download was cancelled.</exception>
    public Task<DownloadResult> DownloadAsync(
        MemoryImage image, byte? alternateSetting = null, DownloadOptions? options = null, IProgress<DfuProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= new DownloadOptions();
        return DownloadCoreAsync(() => PlanDownload(image, alternateSetting, options), options, progress, cancellationToken);
    }

    /// <summary>
    /// Runs a plan made by <see cref="PlanDownload(DfuFile, DownloadOptions?)"/> for this device in DFU mode, step by
    /// step and nothing else. A plan with backup steps hands the backup to <paramref name="backup"/> before the first
    /// erase or write; if the callback throws, nothing is written. A plan with a check pass that was not applied
    /// (<see cref="DownloadOptions.SkipUnchanged"/>) runs it first and then the plan it transforms into
    /// (<see cref="TransferPlanner.ApplyReadBack"/>); <see cref="DownloadResult.Plan"/> is the plan that ran.
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="backup">Receives the backup (every byte of every sector the plan erases or overwrites, one DfuSe
    /// element per contiguous range; for plain DFU the whole firmware); required when the plan has backup steps.</param>
    /// <param name="progress">Receives a report per sector erased and per block written or read.</param>
    /// <param name="cancellationToken">Cancels the run; the device is aborted back to dfuIDLE.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="ArgumentException">The plan has backup steps and no callback receives the backup.</exception>
    /// <exception cref="InvalidOperationException">The device is not in DFU mode, or the session is closed.</exception>
    /// <exception cref="DfuStatusException">The device reported an error (with block and address).</exception>
    /// <exception cref="DfuVerificationException">The read-back differs from the plan's data.</exception>
    /// <exception cref="DfuProtocolException">The device broke the protocol.</exception>
    /// <exception cref="UsbTransportException">A transfer failed.</exception>
    /// <exception cref="DfuReenumerationTimeoutException">The device did not come back after a reset.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public Task<DownloadResult> ExecuteAsync(
        TransferPlan plan, Func<DfuFile, CancellationToken, ValueTask>? backup = null, IProgress<DfuProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.HasBackup && backup is null)
        {
            throw new ArgumentException("The plan reads a backup; pass a callback that stores it.", nameof(backup));
        }

        if (Mode != DfuMode.Dfu && plan.Steps.FirstOrDefault().Kind != TransferStepKind.Detach)
        {
            throw new InvalidOperationException($"{Info.DisplayName} is in run-time mode; detach it before running a plan made in DFU mode.");
        }

        return RunAsync("download", () => ExecuteCoreAsync(plan, backup, progress, cancellationToken), cancellationToken);
    }

    /// <inheritdoc/>
    public override string ToString()
        => CurrentTransport is null
            ? $"{Info.DisplayName} (closed)"
            : $"{Info.DisplayName} interface {Interface.InterfaceNumber} alt {Interface.Setting.Number} ({Mode} mode{(Mode == DfuMode.Dfu ? IsDfuSe ? ", DfuSe" : ", DFU 1.1" : string.Empty)})";

    private Task<DownloadResult> DownloadCoreAsync(
        Func<TransferPlan> plan, DownloadOptions options, IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        // In DFU mode the file is checked before anything is sent; a run-time device is checked once it is in DFU mode,
        // where its identity and layout are the bootloader's. Either way the plan is computed once.
        TransferPlan? early = Mode == DfuMode.Dfu ? plan() : null;
        return RunAsync("download", async () =>
        {
            await EnsureDfuModeAsync(progress, cancellationToken).ConfigureAwait(false);
            TransferPlan actual = early ?? plan();
            foreach (string warning in actual.Warnings)
            {
                Log.PlanWarning(_logger, warning);
            }

            return await ExecuteCoreAsync(actual, options.Backup, progress, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Uploads (device → host): plain DFU from block 0, DfuSe from an address.</summary>
    /// <param name="options">What to read.</param>
    /// <param name="progress">Receives a report per block.</param>
    /// <param name="cancellationToken">Cancels the read; the device is aborted back to dfuIDLE.</param>
    /// <returns>The bytes read.</returns>
    /// <exception cref="NotSupportedException">The device does not accept uploads.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The DfuSe range lies outside the layout or is not readable.</exception>
    /// <exception cref="DfuStatusException">The device reported an error.</exception>
    /// <exception cref="DfuProtocolException">The device broke the protocol.</exception>
    /// <exception cref="UsbTransportException">A transfer failed.</exception>
    /// <exception cref="OperationCanceledException">The read was cancelled.</exception>
    public Task<byte[]> UploadAsync(UploadOptions? options = null, IProgress<DfuProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new UploadOptions();
        RequireUpload();
        progress = Track(progress);
        return RunAsync("upload", async () =>
        {
            await EnsureDfuModeAsync(progress, cancellationToken).ConfigureAwait(false);
            RequireUpload();
            await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
            byte alt = options.AlternateSetting ?? Interface.Setting.Number;
            await SelectAsync(alt, cancellationToken).ConfigureAwait(false);
            if (!IsDfuSe)
            {
                return await ReadDfuAsync(options.Length, options.MaxLength, DfuPhase.Upload, progress, cancellationToken).ConfigureAwait(false);
            }

            DfuSeMemoryLayout layout = RequireLayout(alt);
            uint address = options.Address ?? layout.Regions[0].Address;
            DfuSeMemoryRegion region = layout.Regions.FirstOrDefault(r => address >= r.Address && address < r.End)
                ?? throw new ArgumentOutOfRangeException(nameof(options), $"Address 0x{address:X8} is outside the memory layout \"{layout.Name}\".");
            long length = options.Length ?? (long)(region.End - address);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(length, int.MaxValue, nameof(options));
            foreach (DfuSeSector sector in layout.GetSectors(address, (ulong)length))
            {
                if ((sector.Access & DfuSeSectorAccess.Readable) == 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(options), $"The sector at 0x{sector.Address:X8} of \"{layout.Name}\" is not readable.");
                }
            }

            return await ReadDfuSeAsync(address, (int)length, DfuPhase.Upload, progress, 0, length, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Gets the ST DfuSe operations (erase, mass erase, Get Commands, Read Unprotect, leave) of this device.</summary>
    public DfuSeOperations DfuSe => new(this);

    /// <summary>Gets the session-wide settings.</summary>
    public DfuDeviceOptions Options => _options;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await CloseTransportAsync().ConfigureAwait(false);

    private static async Task<DfuDevice> OpenCoreAsync(
        IUsbDeviceProvider provider, DfuDeviceSelector? selector, DfuDeviceOptions? options, bool unique, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        selector ??= new DfuDeviceSelector();
        IReadOnlyList<UsbDeviceInfo> present = await provider.EnumerateAsync(cancellationToken).ConfigureAwait(false);
        var found = Candidates(present, selector);

        // A HID application with ST's DETACH report has no DFU interface; it is a candidate only when the selector names
        // it (by its run-time ids, serial or path): an empty selector would make every keyboard one.
        var hid = selector.IdentifiesDevice()
            ? present.Where(d => !d.DfuInterfaces.Any() && selector.MatchesRuntimeIds(d) && selector.MatchesLocation(d) && HidInterfaces(d).Any()).ToList()
            : [];
        var boards = found.Select(f => f.Device).Distinct().Concat(hid).ToList();
        if (boards.Count == 0 && (selector.AlternateSetting is not null || selector.AlternateName is not null)
            && Candidates(present, selector with { AlternateSetting = null, AlternateName = null }) is { Count: > 0 } withoutAlt)
        {
            // The board is there; only the alternate setting is wrong: say which ones it has.
            throw new DfuDeviceNotFoundException(
                $"No DFU device matches {selector}: " + string.Join("; ", withoutAlt.GroupBy(c => c.Device).Select(g =>
                    $"{g.Key.VendorId:x4}:{g.Key.ProductId:x4} at {(g.Key.PortPath.Length > 0 ? g.Key.PortPath : "an unknown port")} has alternate settings "
                    + string.Join(", ", g.Select(c => $"{c.Interface.Setting.Number} \"{c.Interface.Setting.Name}\"")))) + ".");
        }

        if (boards.Count == 0)
        {
            var dfu = present.Where(d => d.DfuInterfaces.Any()).ToList();
            throw new DfuDeviceNotFoundException(
                dfu.Count == 0 ? (selector == new DfuDeviceSelector() ? "No DFU device is present." : $"No DFU device matches {selector}; none is present.")
                : $"No DFU device matches {selector}; present: {Describe(dfu)}.");
        }

        if (unique && boards.Count > 1)
        {
            throw new DfuAmbiguousDeviceException(
                $"{boards.Count} devices match {selector}; choose one by serial number or port path: {Describe(boards)}.");
        }

        var device = new DfuDevice(provider, selector, options ?? new DfuDeviceOptions());
        if (found.Count > 0)
        {
            await device.OpenInterfaceAsync(found[0].Device, found[0].Interface, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await device.OpenHidAsync(hid[0], cancellationToken).ConfigureAwait(false);
        }

        return device;
    }

    private static List<(UsbDeviceInfo Device, DfuInterfaceInfo Interface)> Candidates(IEnumerable<UsbDeviceInfo> devices, DfuDeviceSelector selector)
        => [.. devices.SelectMany(d => d.DfuInterfaces.Where(i => selector.Matches(d, i)).Select(i => (d, i)))];

    private static IEnumerable<DfuInterfaceInfo> HidInterfaces(UsbDeviceInfo device)
        => device.Configurations.SelectMany(c => c.Interfaces.SelectMany(i => i.AlternateSettings
            .Where(a => a.InterfaceClass == UsbStandard.HidClass)
            .Select(a => new DfuInterfaceInfo(c.Value, i.Number, a))));

    private static string Describe(IEnumerable<UsbDeviceInfo> devices)
        => string.Join("; ", devices.Select(d =>
            $"{d.VendorId:x4}:{d.ProductId:x4} serial \"{d.SerialNumber}\" at {(d.PortPath.Length > 0 ? d.PortPath : "an unknown port")}"
            + (d.DfuInterfaces.FirstOrDefault() is { } i ? $" ({i.Setting.Mode} mode)" : " (HID application)")));

    // Reports outside a planned download count their own phase as the whole operation (see ProgressTracker).
    private IProgress<DfuProgress>? Track(IProgress<DfuProgress>? progress)
        => progress is null or ProgressTracker ? progress : new ProgressTracker(progress, _time, null);

    private static InvalidOperationException Closed()
        => new("The device session is closed (the device left DFU mode, was reset, or was disposed); open it again.");

    private static bool IsBusy(DfuState state)
        => state is DfuState.DfuDnbusy or DfuState.DfuDnloadSync or DfuState.DfuManifest or DfuState.DfuManifestSync;

    // A device that is gone or does not answer cannot be recovered; asking again would only wait another timeout.
    private static bool IsUnreachable(Exception ex) => DeviceGone.Is(ex, GoneContext.Recovery);

    private void RequireUpload()
    {
        if (Mode == DfuMode.Dfu && !Descriptor.CanUpload)
        {
            throw new NotSupportedException($"{Info.DisplayName} does not accept uploads (bitCanUpload is clear).");
        }
    }

    private static bool SameIdentity(UsbDeviceInfo before, UsbDeviceInfo after)
    {
        // The port path is the physical location: it tells apart boards with the same serial number, and it survives a
        // change of VID/PID and of serial number between run-time and DFU mode (an application and ST's ROM bootloader
        // often report different serials). Without one, the serial number is the identity.
        if (before.PortPath.Length > 0 && after.PortPath.Length > 0)
        {
            return before.PortPath == after.PortPath;
        }

        if (before.SerialNumber is { Length: > 0 } serial)
        {
            return serial == after.SerialNumber;
        }

        return before.VendorId == after.VendorId && before.ProductId == after.ProductId;
    }
}
