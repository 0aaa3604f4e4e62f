using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Devices;

/// <summary>What <c>--device</c>, <c>--serial</c>, <c>--path</c>, <c>--alt</c>, <c>--sim-state</c>, <c>--timeout</c> and
/// <c>--wait</c> asked for.</summary>
/// <param name="Device">The (first) selector text, or <see langword="null"/> for the one DFU device present.</param>
/// <param name="Alternate">The alternate setting, a number or a name, or <see langword="null"/>.</param>
/// <param name="SimState">The file (or, for many simulated boards, the folder) that keeps simulated memory between
/// commands, or <see langword="null"/>.</param>
internal sealed record DeviceRequest(string? Device, string? Alternate, string? SimState)
{
    /// <summary>The prefix that selects a simulated device.</summary>
    public const string SimulatedPrefix = "sim:";

    /// <summary>The most boards <c>sim:PROFILE*N</c> makes.</summary>
    public const int MaxSimulatedBoards = 64;

    /// <summary>Gets every <c>--device</c> given, in order; empty when none was (<see cref="Device"/> alone counts then).</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>Gets the serial number <c>--serial</c> asked for, or <see langword="null"/>.</summary>
    public string? Serial { get; init; }

    /// <summary>Gets the port path <c>--path</c> asked for, or <see langword="null"/>.</summary>
    public string? Path { get; init; }

    /// <summary>Gets the control-transfer timeout <c>--timeout</c> asked for, or <see langword="null"/> for the engine's.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets how long <c>--wait</c> waits for a matching board to appear, or <see langword="null"/> not to wait.</summary>
    public TimeSpan? Wait { get; init; }

    /// <summary>Gets the selector texts: every <c>--device</c>, or the one <see cref="Device"/>, or none.</summary>
    public IReadOnlyList<string> DeviceTexts => Devices.Count > 0 ? Devices : Device is null ? [] : [Device];

    /// <summary>Gets a value indicating whether a simulated device is asked for.</summary>
    public bool IsSimulated => DeviceTexts.Any(IsSimulatedText);

    /// <summary>Parses every <c>--device</c>: <c>sim:PROFILE[*N][,key=value…]</c> or anything
    /// <see cref="DfuDeviceSelector.Parse"/> takes. At most one names a simulated profile (with a board count), and each
    /// gives a selector with <c>--serial</c>, <c>--path</c> and <c>--alt</c> applied.</summary>
    /// <exception cref="CliException">A text is not a selector, two name simulated profiles, a count is out of range,
    /// or an option contradicts a selector (exit 64).</exception>
    public DeviceSelection ParseAll()
    {
        IReadOnlyList<string> texts = DeviceTexts.Count > 0 ? DeviceTexts : [string.Empty];
        string? profile = null;
        int count = 1;
        var selectors = new List<DfuDeviceSelector>();
        foreach (string text in texts)
        {
            string rest = text;
            if (IsSimulatedText(text))
            {
                if (profile is not null)
                {
                    throw CliException.Usage($"--device: '{text}' is a second simulated bus; name one sim:PROFILE[*N] and select its boards with further --device path=sim-K");
                }

                rest = rest[SimulatedPrefix.Length..];
                int comma = rest.IndexOf(',', StringComparison.Ordinal);
                string name = (comma < 0 ? rest : rest[..comma]).Trim();
                rest = comma < 0 ? string.Empty : rest[(comma + 1)..];
                (profile, count) = ParseProfile(text, name);
            }

            DfuDeviceSelector selector;
            try
            {
                selector = rest.Trim().Length == 0 ? new DfuDeviceSelector() : DfuDeviceSelector.Parse(rest);
            }
            catch (FormatException ex)
            {
                throw CliException.Usage($"--device: {ex.Message}");
            }

            selectors.Add(ApplyOptions(text, selector));
        }

        return new DeviceSelection(profile, count, selectors);
    }

    private static bool IsSimulatedText(string text) => text.StartsWith(SimulatedPrefix, StringComparison.OrdinalIgnoreCase);

    // PROFILE or PROFILE*N: N boards of the profile at ports sim-1 … sim-N.
    private static (string Profile, int Count) ParseProfile(string text, string name)
    {
        int count = 1;
        int star = name.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0)
        {
            if (!int.TryParse(name[(star + 1)..].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count)
                || count < 1 || count > MaxSimulatedBoards)
            {
                throw CliException.Usage($"--device: '{text}': the board count after * must be 1 to {MaxSimulatedBoards}");
            }

            name = name[..star].Trim();
        }

        if (name.Length == 0)
        {
            throw CliException.Usage($"--device: '{text}' names no simulated profile; known: {string.Join(", ", SimulatedProfiles.Names)}");
        }

        return (name, count);
    }

    private DfuDeviceSelector ApplyOptions(string text, DfuDeviceSelector selector)
    {
        if (Serial is not null)
        {
            selector = selector with { SerialNumber = Merge(text, "--serial", "serial", Serial, selector.SerialNumber) };
        }

        if (Path is not null)
        {
            selector = selector with { PortPath = Merge(text, "--path", "path", Path, selector.PortPath) };
        }

        if (Alternate is { Length: > 0 } alt)
        {
            DfuDeviceSelector chosen = CliNumbers.TryParseByte(alt, out byte number)
                ? selector with { AlternateSetting = number, AlternateName = null }
                : selector with { AlternateName = alt, AlternateSetting = null };
            bool named = selector.AlternateSetting is not null || selector.AlternateName is not null;
            if (named && (chosen.AlternateSetting != selector.AlternateSetting
                          || !string.Equals(chosen.AlternateName, selector.AlternateName, StringComparison.OrdinalIgnoreCase)))
            {
                throw CliException.Usage($"--alt \"{alt}\" contradicts alt={(object?)selector.AlternateSetting ?? selector.AlternateName} in --device \"{text}\"; give it once");
            }

            selector = chosen;
        }

        return selector;
    }

    // The option and the key=value part of --device set the same field: saying it twice is fine, saying two things is not.
    private static string Merge(string text, string option, string key, string value, string? fromDevice)
    {
        if (value.Trim().Length == 0)
        {
            throw CliException.Usage($"{option} needs a value");
        }

        if (fromDevice is not null && !string.Equals(fromDevice, value, StringComparison.Ordinal))
        {
            throw CliException.Usage($"{option} \"{value}\" contradicts {key}={fromDevice} in --device \"{text}\"; give it once");
        }

        return value;
    }
}

/// <summary>Every <c>--device</c> parsed.</summary>
/// <param name="Profile">The simulated profile named by <c>sim:PROFILE[*N]</c>, or <see langword="null"/> for libusb.</param>
/// <param name="Count">How many boards of <paramref name="Profile"/> the simulated bus has (<c>*N</c>; 1 by default).</param>
/// <param name="Selectors">One selector per <c>--device</c> (one empty selector when none was given).</param>
internal sealed record DeviceSelection(string? Profile, int Count, IReadOnlyList<DfuDeviceSelector> Selectors);

/// <summary>
/// The bus a command talks to: libusb, or a simulated bus whose device memory may be loaded from and saved to
/// <c>--sim-state</c>. The state file is a store: the command holds an exclusive lock on it from start to end (a second
/// dfusharp waits up to <see cref="SimStateLockWait"/>, then fails with exit 75), an empty file is a fresh device, and
/// the file is rewritten only when the device's memory changed, so <c>info</c>, <c>list</c> and <c>upload</c> leave it
/// as it was. With <c>sim:PROFILE*N</c>, <c>--sim-state</c> names a folder holding one such file per board
/// (<c>sim-1.state</c> …), each locked and saved the same way. Disposing the bus saves that state (also after a failure
/// or a cancellation: flash keeps what was written), releases the locks and the provider.
/// </summary>
/// <remarks>
/// The state is rewritten in place through the locked handle rather than replaced by a rename: a rename would leave
/// the lock on the old file while a waiting process opens the new one. A profile's state has a fixed size but for its
/// firmware store, so an in-place rewrite needs no new room on the disk. In-place also keeps the file's permissions,
/// owner and links.
/// </remarks>
internal sealed class DeviceBus : IAsyncDisposable
{
    /// <summary>How long a command waits for another dfusharp to release the <c>--sim-state</c> file.</summary>
    public static readonly TimeSpan SimStateLockWait = TimeSpan.FromSeconds(10);

    /// <summary>The extension of a board's state file in a <c>--sim-state</c> folder.</summary>
    public const string StateExtension = ".state";

    private static readonly TimeSpan s_lockRetry = TimeSpan.FromMilliseconds(100);

    private readonly List<StateStore> _stores;

    private DeviceBus(IUsbDeviceProvider provider, IReadOnlyList<DfuDeviceSelector> selectors, DfuDeviceOptions options, TimeSpan? wait,
        List<StateStore>? stores = null)
    {
        Provider = provider;
        Selectors = selectors;
        Selector = selectors[0];
        Options = options;
        Wait = wait;
        _stores = stores ?? [];
    }

    /// <summary>Gets the provider.</summary>
    public IUsbDeviceProvider Provider { get; }

    /// <summary>Gets the selector (of the first <c>--device</c>).</summary>
    public DfuDeviceSelector Selector { get; }

    /// <summary>Gets one selector per <c>--device</c>.</summary>
    public IReadOnlyList<DfuDeviceSelector> Selectors { get; }

    /// <summary>Gets the engine settings, with <c>--timeout</c> applied.</summary>
    public DfuDeviceOptions Options { get; }

    /// <summary>Gets how long <see cref="WaitAsync"/> waits for the boards (<c>--wait</c>), or <see langword="null"/>.</summary>
    public TimeSpan? Wait { get; }

    /// <summary>Creates the bus a request names, locks the simulated state files and loads them, if any.</summary>
    /// <exception cref="CliException">The request is malformed (64), --sim-state is used without a simulated device (64),
    /// names a file for many boards (64), a state file is locked by another process for too long (75), or it is not a
    /// saved state (65).</exception>
    /// <exception cref="DfuDeviceNotFoundException">The simulated profile does not exist (69).</exception>
    public static async Task<DeviceBus> CreateAsync(CliDeviceEnvironment environment, DeviceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(request);
        DeviceSelection selection = request.ParseAll();
        DfuDeviceOptions options = WithTimeout(environment.DeviceOptions, request.Timeout);
        if (selection.Profile is not { } profileName)
        {
            if (request.SimState is not null)
            {
                throw CliException.Usage("--sim-state applies only to a simulated device (--device sim:PROFILE)");
            }

            return new DeviceBus(environment.CreateUsbDeviceProvider(), selection.Selectors, options, request.Wait);
        }

        SimulatedDeviceProfile profile;
        try
        {
            profile = SimulatedProfiles.Get(profileName);
        }
        catch (ArgumentException)
        {
            throw new DfuDeviceNotFoundException(
                $"No simulated device \"{profileName}\"; known profiles: {string.Join(", ", SimulatedProfiles.Names)}.");
        }

        bool folder = request.SimState is { } state && IsFolder(state);
        if (request.SimState is not null && selection.Count > 1 && !folder)
        {
            throw CliException.Usage($"--sim-state {request.SimState}: {selection.Count} simulated boards keep {selection.Count} states; name a folder (it gets sim-1{StateExtension} …)");
        }

        // The state is saved after the command; a folder that does not exist must stop it before the bus exists.
        if (request.SimState is { } target)
        {
            if (folder)
            {
                CreateFolder(target);
            }
            else
            {
                CliFiles.CheckWritable(target);
            }
        }

        SimulatedUsbBus bus = selection.Count == 1
            ? environment.CreateSimulatedBus(profile, environment.TimeProvider)
            : environment.CreateSimulatedRig(profile, selection.Count, environment.TimeProvider);
        IReadOnlyList<DfuDeviceSelector> selectors = selection.Selectors;

        // sim:PROFILE names its board, as --path names a real one: an empty selector never picks a HID application
        // (hid-runtime), and a bus with other boards on it is not ambiguous.
        if (selectors is [var only] && !only.IdentifiesDevice()
            && bus.Devices.Where(d => d.HomeProfile.Name == profile.Name).ToList() is [var board])
        {
            selectors = [only with { PortPath = board.PortPath }];
        }

        var stores = new List<StateStore>();
        try
        {
            if (request.SimState is { } statePath)
            {
                List<SimulatedDfuDevice> own = [.. bus.Devices.Where(d => d.HomeProfile.Name == profile.Name)];
                IEnumerable<(string Path, IReadOnlyList<SimulatedDfuDevice> Devices)> files = folder
                    ? own.Select(d => (System.IO.Path.Combine(statePath, d.PortPath + StateExtension), (IReadOnlyList<SimulatedDfuDevice>)[d]))
                    : [(statePath, bus.Devices)];
                foreach ((string path, IReadOnlyList<SimulatedDfuDevice> devices) in files)
                {
                    CliFiles.CheckWritable(path);
                    FileStream store = await LockAsync(path, environment.TimeProvider, cancellationToken).ConfigureAwait(false);
                    var kept = new StateStore(path, store, devices);
                    stores.Add(kept);
                    kept.Saved = await LoadAsync(path, store, profile, devices, cancellationToken).ConfigureAwait(false);
                }
            }

            return new DeviceBus(bus, selectors, options, request.Wait, stores);
        }
        catch
        {
            foreach (StateStore store in stores)
            {
                await store.Stream.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Waits, when <c>--wait</c> asked for it, until each selector matches a board, then opens the one device
    /// the first selector matches.</summary>
    /// <exception cref="DfuDeviceNotFoundException">No matching board appeared within the wait (69).</exception>
    public async Task<DfuDevice> OpenAsync(CancellationToken cancellationToken)
    {
        await WaitAsync(cancellationToken).ConfigureAwait(false);
        return await DfuDevice.OpenAsync(Provider, Selector, Options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the boards when <c>--wait</c> asked for it: until every selector matches at least one board present,
    /// through the provider's watch (hotplug where libusb has it, polling elsewhere), all within the one deadline.
    /// Returns at once without <c>--wait</c>.
    /// </summary>
    /// <exception cref="DfuDeviceNotFoundException">A selector matched no board within the wait (69).</exception>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (Wait is not { } wait)
        {
            return;
        }

        long started = Provider.TimeProvider.GetTimestamp();
        foreach (DfuDeviceSelector selector in Selectors)
        {
            TimeSpan left = wait - Provider.TimeProvider.GetElapsedTime(started);
            try
            {
                await Provider.WaitForDeviceAsync(d => IsBoard(selector, d), left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
            catch (DfuReenumerationTimeoutException)
            {
                throw new DfuDeviceNotFoundException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"No DFU device matching {(selector == new DfuDeviceSelector() ? "the selector" : selector.ToString())} appeared within {wait.TotalSeconds:0.###} s (--wait)."));
            }
        }
    }

    /// <summary>Lists every board the selectors match, once each (by port path), in bus order: with
    /// <paramref name="all"/> every board each selector matches, otherwise the one board each selector must match.</summary>
    /// <exception cref="DfuDeviceNotFoundException">A selector matches no board (69).</exception>
    /// <exception cref="DfuAmbiguousDeviceException">Without <paramref name="all"/>, a selector matches several boards (64).</exception>
    public async Task<IReadOnlyList<UsbDeviceInfo>> ListBoardsAsync(bool all, CancellationToken cancellationToken)
    {
        await WaitAsync(cancellationToken).ConfigureAwait(false);
        var boards = new List<UsbDeviceInfo>();
        foreach (DfuDeviceSelector selector in Selectors)
        {
            IReadOnlyList<UsbDeviceInfo> found = await DfuDevice.ListBoardsAsync(Provider, selector, cancellationToken).ConfigureAwait(false);
            if (found.Count == 0)
            {
                IReadOnlyList<UsbDeviceInfo> present = await DfuDevice.ListBoardsAsync(Provider, null, cancellationToken).ConfigureAwait(false);
                throw new DfuDeviceNotFoundException(present.Count == 0
                    ? "No DFU device is present."
                    : $"No DFU device matches {selector}; present: {string.Join("; ", present.Select(p => p.DisplayName))}.");
            }

            if (!all && found.Count > 1)
            {
                throw new DfuAmbiguousDeviceException(
                    $"{found.Count} devices match {selector} ({string.Join(", ", found.Select(f => f.PortPath))}); add --all to use every one, or choose one by port path.");
            }

            boards.AddRange(found.Where(f => !boards.Any(b => b.PortPath == f.PortPath)));
        }

        return boards;
    }

    /// <summary>The selector that follows one board of a many-board run: the selector that found it, narrowed to its port.</summary>
    public DfuDeviceSelector BoardSelector(UsbDeviceInfo board)
    {
        ArgumentNullException.ThrowIfNull(board);
        DfuDeviceSelector selector = Selectors.FirstOrDefault(s => IsBoard(s, board)) ?? Selector;
        return board.PortPath.Length > 0 ? selector with { PortPath = board.PortPath } : selector;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            Exception? failure = null;
            foreach (StateStore store in _stores)
            {
                try
                {
                    await store.SaveAsync().ConfigureAwait(false);
                }
                catch (CliFileException ex)
                {
                    // Every board's state is saved even when one cannot be; the first failure is reported.
                    failure ??= ex;
                }
            }

            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
        }
        finally
        {
            foreach (StateStore store in _stores)
            {
                await store.Stream.DisposeAsync().ConfigureAwait(false);
            }

            (Provider as IDisposable)?.Dispose();
        }
    }

    // --timeout sets the request timeout of the session; the slow timeout (mass erase polls) never gets shorter.
    private static DfuDeviceOptions WithTimeout(DfuDeviceOptions options, TimeSpan? timeout)
        => timeout is { } t
            ? options with { RequestTimeout = t, SlowRequestTimeout = t > options.SlowRequestTimeout ? t : options.SlowRequestTimeout }
            : options;

    // A board the selector would open: a DFU interface it matches, or a HID application it names.
    private static bool IsBoard(DfuDeviceSelector selector, UsbDeviceInfo device)
        => device.DfuInterfaces.Any(i => selector.Matches(device, i))
           || (selector.IdentifiesDevice() && !device.DfuInterfaces.Any() && selector.MatchesDevice(device));

    // A folder is one that exists, or a path ending in a separator (created then).
    private static bool IsFolder(string path)
        => Directory.Exists(path) || path.EndsWith('/') || path.EndsWith(System.IO.Path.DirectorySeparatorChar);

    private static void CreateFolder(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFileException(path, FileRole.Output, ex);
        }
    }

    private static byte[] SaveState(SimulatedDfuDevice device)
    {
        using var buffer = new MemoryStream();
        device.SaveState(buffer);
        return buffer.ToArray();
    }

    // Loads the state into the boards and returns what the file held, or a fresh device's state when the file is new
    // or empty (mktemp makes an empty file), so that an unchanged device is not saved.
    private static async Task<byte[]> LoadAsync(string path, FileStream store, SimulatedDeviceProfile profile, IReadOnlyList<SimulatedDfuDevice> devices,
        CancellationToken cancellationToken)
    {
        byte[] saved;
        try
        {
            if (store.Length > CliFiles.MaxInputLength)
            {
                throw CliException.BadData(path, "not a saved state: too large");
            }

            saved = new byte[store.Length];
            await store.ReadExactlyAsync(saved, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFileException(path, FileRole.Input, ex);
        }

        if (saved.Length == 0)
        {
            return devices.Count > 0 ? SaveState(devices[0]) : [];
        }

        foreach (SimulatedDfuDevice device in devices)
        {
            try
            {
                using var stream = new MemoryStream(saved, writable: false);
                device.LoadState(stream);
            }
            catch (InvalidDataException ex)
            {
                throw CliException.BadData(path, $"not a saved state of a {profile.Name} device: {ex.Message}");
            }
        }

        return saved;
    }

    // flock(2) through FileShare.None on the state file itself: held until the bus is disposed, released by the kernel
    // if the process dies. A file that is not there yet is created empty (a fresh device).
    private static async Task<FileStream> LockAsync(string statePath, TimeProvider time, CancellationToken cancellationToken)
    {
        string full = CliFiles.ResolveTarget(statePath);
        if (FileProbe.Probe(full) == PathKind.Special)
        {
            throw new CliException(ExitCodes.CannotCreate, "cannot keep a simulated state in a device, FIFO or socket; name a regular file", statePath);
        }

        long started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException ex) when (CliFiles.IsLocked(ex))
            {
                if (time.GetElapsedTime(started) >= SimStateLockWait)
                {
                    throw new CliException(ExitCodes.Busy,
                        $"in use by another dfusharp command (still locked after {SimStateLockWait.TotalSeconds:0} s)", statePath);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliFileException(statePath, FileRole.Output, ex);
            }

            await Task.Delay(s_lockRetry, time, cancellationToken).ConfigureAwait(false);
        }
    }

    // One locked state file and the boards it keeps (one board in a folder; every board of the bus for a single file,
    // which saves the first).
    private sealed class StateStore(string path, FileStream stream, IReadOnlyList<SimulatedDfuDevice> devices)
    {
        public FileStream Stream { get; } = stream;

        public byte[]? Saved { get; set; }

        // Saved even when the command was cancelled: the device's flash keeps what was written. A command that changed
        // nothing (info, list, upload) leaves the file untouched.
        public async Task SaveAsync()
        {
            if (devices.Count == 0)
            {
                return;
            }

            byte[] state = SaveState(devices[0]);
            if (Saved is not null && state.AsSpan().SequenceEqual(Saved))
            {
                return;
            }

            try
            {
                Stream.Position = 0;
                await Stream.WriteAsync(state, CancellationToken.None).ConfigureAwait(false);
                Stream.SetLength(state.Length);
                Stream.Flush(flushToDisk: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliFileException(path, FileRole.Output, ex);
            }
        }
    }
}
