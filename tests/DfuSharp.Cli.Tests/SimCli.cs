using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests;

/// <summary>
/// Runs dfusharp in process against simulated devices on virtual time: <c>sim:PROFILE</c> gets a bus built here (with
/// the options and faults a test sets, or empty), and every other selector gets an empty simulated bus instead of libusb.
/// </summary>
internal sealed class SimCli
{
    public VirtualTimeProvider Time { get; } = new();

    /// <summary>Gets or sets the options of the device <c>sim:PROFILE</c> creates.</summary>
    public SimulatedDeviceOptions Options { get; set; } = new();

    /// <summary>Gets or sets a value indicating whether <c>sim:PROFILE</c> finds an empty bus.</summary>
    public bool EmptyBus { get; set; }

    /// <summary>Gets the bus of the last run.</summary>
    public SimulatedUsbBus? Bus { get; private set; }

    /// <summary>Gets the device of the last run.</summary>
    public SimulatedDfuDevice Device => Bus!.Devices[0];

    public CliDeviceEnvironment Environment => new()
    {
        TimeProvider = Time,
        CreateUsbProvider = () => new SimulatedUsbBus(Time),
        CreateSimulatedBus = (profile, time) =>
        {
            var bus = new SimulatedUsbBus(time);
            if (!EmptyBus)
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
