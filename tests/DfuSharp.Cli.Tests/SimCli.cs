using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests;

/// <summary>
/// Runs dfusharp in process against simulated devices on virtual time: <c>sim:PROFILE</c> gets a bus built here (with
/// the options and faults a test sets, or empty), and every other selector gets <see cref="UsbBus"/> instead of libusb.
/// </summary>
internal sealed class SimCli
{
    private SimulatedUsbBus? _usbBus;
    private Action<SimulatedUsbBus>? _alongside;

    public VirtualTimeProvider Time { get; } = new();

    /// <summary>Gets the bus that stands for libusb: empty unless a test plugs boards in; they stay between runs, as
    /// real boards stay plugged in between commands.</summary>
    public SimulatedUsbBus UsbBus => _usbBus ??= new SimulatedUsbBus(Time);

    /// <summary>Gets or sets the options of the device <c>sim:PROFILE</c> creates.</summary>
    public SimulatedDeviceOptions Options { get; set; } = new();

    /// <summary>Gets or sets a value indicating whether <c>sim:PROFILE</c> finds an empty bus.</summary>
    public bool EmptyBus { get; set; }

    /// <summary>Plugs more boards into every bus <c>sim:PROFILE</c> creates, after the profile's own.</summary>
    public void Alongside(Action<SimulatedUsbBus> plug) => _alongside = plug;

    /// <summary>Plugs a board of a stock profile into <see cref="UsbBus"/> at a port path, with a serial number.</summary>
    public SimulatedDfuDevice Plug(string profile, string path, string? serial = null)
        => UsbBus.Add(profile, new SimulatedDeviceOptions { PortPath = path, SerialNumber = serial });

    /// <summary>Gets the bus of the last run.</summary>
    public SimulatedUsbBus? Bus { get; private set; }

    /// <summary>Gets the device of the last run.</summary>
    public SimulatedDfuDevice Device => Bus!.Devices[0];

    public CliDeviceEnvironment Environment => new()
    {
        TimeProvider = Time,
        CreateUsbProvider = () => UsbBus,
        CreateSimulatedBus = (profile, time) =>
        {
            var bus = new SimulatedUsbBus(time);
            if (!EmptyBus)
            {
                bus.Add(profile, Options);
            }

            _alongside?.Invoke(bus);

            Bus = bus;
            return bus;
        },
        CreateSimulatedRig = (profile, count, time) =>
        {
            var bus = new SimulatedUsbBus(time);
            for (int i = 0; i < count; i++)
            {
                bus.Add(profile, Options);
            }

            Bus = bus;
            return bus;
        },
    };

    public Task<CliRun> RunAsync(params string[] args) => RunAsync(null, CancellationToken.None, args);

    public async Task<CliRun> RunAsync(TextWriter? stderr, CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var captured = new StringWriter();
        var context = new CliContext(stdout, stderr ?? captured) { Devices = Environment };
        int code = await CliApp.RunAsync(args, context, cancellationToken);
        return new CliRun(code, stdout.ToString(), stderr?.ToString() ?? captured.ToString());
    }

    public static byte[] Random(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}

/// <summary>A standard-error writer that cancels a token when a line containing a marker is written.</summary>
internal sealed class CancelOnText(string marker, CancellationTokenSource cancellation) : StringWriter
{
    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        if (value?.Contains(marker, StringComparison.Ordinal) == true)
        {
            cancellation.Cancel();
        }
    }
}
