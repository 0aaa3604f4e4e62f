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
/// <c>--sim-state</c>. Disposing it saves that state (also after a failure or a cancellation: flash keeps what was
/// written) and releases the provider.
/// </summary>
internal sealed class DeviceBus : IAsyncDisposable
{
    private readonly SimulatedUsbBus? _simulated;
    private readonly string? _simState;

    private DeviceBus(IUsbDeviceProvider provider, DfuDeviceSelector selector, SimulatedUsbBus? simulated, string? simState, DfuDeviceOptions options)
    {
        Provider = provider;
        Selector = selector;
        _simulated = simulated;
        _simState = simState;
        Options = options;
    }

    /// <summary>Gets the provider.</summary>
    public IUsbDeviceProvider Provider { get; }

    /// <summary>Gets the selector.</summary>
    public DfuDeviceSelector Selector { get; }

    /// <summary>Gets the engine settings.</summary>
    public DfuDeviceOptions Options { get; }

    /// <summary>Creates the bus a request names and loads the simulated state, if any.</summary>
    /// <exception cref="CliException">The request is malformed (64), or --sim-state is used without a simulated device.</exception>
    /// <exception cref="DfuDeviceNotFoundException">The simulated profile does not exist (69).</exception>
    public static async Task<DeviceBus> CreateAsync(CliDeviceEnvironment environment, DeviceRequest request, CancellationToken cancellationToken)
    {
        (string? profileName, DfuDeviceSelector selector) = request.Parse();
        if (profileName is null)
        {
            if (request.SimState is not null)
            {
                throw CliException.Usage("--sim-state applies only to a simulated device (--device sim:PROFILE)");
            }

            return new DeviceBus(environment.CreateUsbProvider(), selector, null, null, environment.DeviceOptions);
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

        if (request.SimState is { } statePath)
        {
            // The state is saved after the command; a folder that does not exist must stop it before anything is sent.
            CliFiles.CheckWritable(statePath);
        }

        SimulatedUsbBus bus = environment.CreateSimulatedBus(profile, environment.TimeProvider);

        // sim:PROFILE names its board, as --path names a real one: an empty selector never picks a HID application
        // (hid-runtime), and a bus with other boards on it is not ambiguous.
        if (!selector.IdentifiesDevice() && bus.Devices.Where(d => d.HomeProfile.Name == profile.Name).ToList() is [var board])
        {
            selector = selector with { PortPath = board.PortPath };
        }
        if (request.SimState is { } path && File.Exists(path))
        {
            byte[] saved = await CliFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false);
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
        }

        return new DeviceBus(bus, selector, bus, request.SimState, environment.DeviceOptions);
    }

    /// <summary>Opens the one device the selector matches.</summary>
    public Task<DfuDevice> OpenAsync(CancellationToken cancellationToken)
        => DfuDevice.OpenAsync(Provider, Selector, Options, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_simulated is not null && _simState is not null && _simulated.Devices.Count > 0)
            {
                using var buffer = new MemoryStream();
                _simulated.Devices[0].SaveState(buffer);

                // Saved even when the command was cancelled: the device's flash keeps what was written.
                await CliFiles.WriteAtomicAsync(_simState, buffer.ToArray(), CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            (Provider as IDisposable)?.Dispose();
        }
    }
}
