using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Devices;

/// <summary>What <c>--device</c>, <c>--serial</c>, <c>--path</c>, <c>--alt</c> and <c>--sim-state</c> asked for.</summary>
/// <param name="Device">The selector text, or <see langword="null"/> for the one DFU device present.</param>
/// <param name="Alternate">The alternate setting, a number or a name, or <see langword="null"/>.</param>
/// <param name="SimState">The file that keeps a simulated device's memory between commands, or <see langword="null"/>.</param>
internal sealed record DeviceRequest(string? Device, string? Alternate, string? SimState)
{
    /// <summary>The prefix that selects a simulated device.</summary>
    public const string SimulatedPrefix = "sim:";

    /// <summary>Gets the serial number <c>--serial</c> asked for, or <see langword="null"/>.</summary>
    public string? Serial { get; init; }

    /// <summary>Gets the port path <c>--path</c> asked for, or <see langword="null"/>.</summary>
    public string? Path { get; init; }

    /// <summary>Gets a value indicating whether a simulated device is asked for.</summary>
    public bool IsSimulated => Device?.StartsWith(SimulatedPrefix, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Parses the selector: <c>sim:PROFILE[,key=value…]</c> or anything <see cref="DfuDeviceSelector.Parse"/> takes,
    /// then applies <c>--serial</c>, <c>--path</c> and <c>--alt</c>.</summary>
    /// <exception cref="CliException">The text is not a selector, or <c>--serial</c>, <c>--path</c> or <c>--alt</c> is empty
    /// or contradicts <c>serial=</c>, <c>path=</c> or <c>alt=</c> in <c>--device</c> (exit 64).</exception>
    public (string? Profile, DfuDeviceSelector Selector) Parse()
    {
        string? profile = null;
        string rest = Device ?? string.Empty;
        if (IsSimulated)
        {
            rest = rest[SimulatedPrefix.Length..];
            int comma = rest.IndexOf(',', StringComparison.Ordinal);
            profile = (comma < 0 ? rest : rest[..comma]).Trim();
            rest = comma < 0 ? string.Empty : rest[(comma + 1)..];
            if (profile.Length == 0)
            {
                throw CliException.Usage($"--device: '{Device}' names no simulated profile; known: {string.Join(", ", SimulatedProfiles.Names)}");
            }
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

        if (Serial is not null)
        {
            selector = selector with { SerialNumber = Merge("--serial", "serial", Serial, selector.SerialNumber) };
        }

        if (Path is not null)
        {
            selector = selector with { PortPath = Merge("--path", "path", Path, selector.PortPath) };
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
                throw CliException.Usage($"--alt \"{alt}\" contradicts alt={(object?)selector.AlternateSetting ?? selector.AlternateName} in --device \"{Device}\"; give it once");
            }

            selector = chosen;
        }

        return (profile, selector);
    }

    // The option and the key=value part of --device set the same field: saying it twice is fine, saying two things is not.
    private string Merge(string option, string key, string value, string? fromDevice)
    {
        if (value.Trim().Length == 0)
        {
            throw CliException.Usage($"{option} needs a value");
        }

        if (fromDevice is not null && !string.Equals(fromDevice, value, StringComparison.Ordinal))
        {
            throw CliException.Usage($"{option} \"{value}\" contradicts {key}={fromDevice} in --device \"{Device}\"; give it once");
        }

        return value;
    }
}

/// <summary>
/// The bus a command talks to: libusb, or a simulated bus whose device memory may be loaded from and saved to
/// <c>--sim-state</c>. The state file is a store: the command holds an exclusive lock on it from start to end (a second
/// dfusharp waits up to <see cref="SimStateLockWait"/>, then fails with exit 75), an empty file is a fresh device, and
/// the file is rewritten only when the device's memory changed, so <c>info</c>, <c>list</c> and <c>upload</c> leave it
/// as it was. Disposing the bus saves that state (also after a failure or a cancellation: flash keeps what was
/// written), releases the lock and the provider.
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

    private static readonly TimeSpan s_lockRetry = TimeSpan.FromMilliseconds(100);

    private readonly SimulatedUsbBus? _simulated;
    private readonly string? _simState;
    private readonly FileStream? _store;
    private readonly byte[]? _savedState;

    private DeviceBus(IUsbDeviceProvider provider, DfuDeviceSelector selector, DfuDeviceOptions options,
        SimulatedUsbBus? simulated = null, string? simState = null, FileStream? store = null, byte[]? savedState = null)
    {
        Provider = provider;
        Selector = selector;
        _simulated = simulated;
        _simState = simState;
        _store = store;
        _savedState = savedState;
        Options = options;
    }

    /// <summary>Gets the provider.</summary>
    public IUsbDeviceProvider Provider { get; }

    /// <summary>Gets the selector.</summary>
    public DfuDeviceSelector Selector { get; }

    /// <summary>Gets the engine settings.</summary>
    public DfuDeviceOptions Options { get; }

    /// <summary>Creates the bus a request names, locks the simulated state file and loads it, if any.</summary>
    /// <exception cref="CliException">The request is malformed (64), --sim-state is used without a simulated device (64),
    /// the state file is locked by another process for too long (75), or it is not a saved state (65).</exception>
    /// <exception cref="DfuDeviceNotFoundException">The simulated profile does not exist (69).</exception>
    public static async Task<DeviceBus> CreateAsync(CliDeviceEnvironment environment, DeviceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(request);
        (string? profileName, DfuDeviceSelector selector) = request.Parse();
        if (profileName is null)
        {
            if (request.SimState is not null)
            {
                throw CliException.Usage("--sim-state applies only to a simulated device (--device sim:PROFILE)");
            }

            return new DeviceBus(environment.CreateUsbDeviceProvider(), selector, environment.DeviceOptions);
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

        FileStream? store = null;
        if (request.SimState is { } statePath)
        {
            // The state is saved after the command; a folder that does not exist must stop it before anything is sent.
            CliFiles.CheckWritable(statePath);
            store = await LockAsync(statePath, environment.TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            SimulatedUsbBus bus = environment.CreateSimulatedBus(profile, environment.TimeProvider);

            // sim:PROFILE names its board, as --path names a real one: an empty selector never picks a HID application
            // (hid-runtime), and a bus with other boards on it is not ambiguous.
            if (!selector.IdentifiesDevice() && bus.Devices.Where(d => d.HomeProfile.Name == profile.Name).ToList() is [var board])
            {
                selector = selector with { PortPath = board.PortPath };
            }

            byte[]? saved = null;
            if (store is not null)
            {
                saved = await LoadAsync(request.SimState!, store, profile, bus, cancellationToken).ConfigureAwait(false);
            }

            return new DeviceBus(bus, selector, environment.DeviceOptions, bus, request.SimState, store, saved);
        }
        catch
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Opens the one device the selector matches.</summary>
    public Task<DfuDevice> OpenAsync(CancellationToken cancellationToken)
        => DfuDevice.OpenAsync(Provider, Selector, Options, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_simulated is not null && _store is not null && _simulated.Devices.Count > 0)
            {
                byte[] state = SaveState(_simulated.Devices[0]);

                // Saved even when the command was cancelled: the device's flash keeps what was written. A command that
                // changed nothing (info, list, upload) leaves the file untouched.
                if (_savedState is null || !state.AsSpan().SequenceEqual(_savedState))
                {
                    await StoreAsync(state).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (_store is not null)
            {
                await _store.DisposeAsync().ConfigureAwait(false);
            }

            (Provider as IDisposable)?.Dispose();
        }
    }

    private async Task StoreAsync(byte[] state)
    {
        try
        {
            _store!.Position = 0;
            await _store.WriteAsync(state, CancellationToken.None).ConfigureAwait(false);
            _store.SetLength(state.Length);
            _store.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFileException(_simState!, FileRole.Output, ex);
        }
    }

    private static byte[] SaveState(SimulatedDfuDevice device)
    {
        using var buffer = new MemoryStream();
        device.SaveState(buffer);
        return buffer.ToArray();
    }

    // Loads the state into every board of the bus and returns what the file held, or a fresh device's state when the
    // file is new or empty (mktemp makes an empty file), so that an unchanged device is not saved.
    private static async Task<byte[]> LoadAsync(string path, FileStream store, SimulatedDeviceProfile profile, SimulatedUsbBus bus,
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
            return bus.Devices.Count > 0 ? SaveState(bus.Devices[0]) : [];
        }

        foreach (SimulatedDfuDevice device in bus.Devices)
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
}
