using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using DfuSharp.LibUsb;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Devices;

/// <summary>
/// Where device commands find their devices and their clock. <see cref="Program"/> uses <see cref="Default"/>: libusb for
/// real boards, simulated devices in real time for <c>sim:PROFILE</c>. Tests replace it to run simulated devices in
/// virtual time, with faults or an empty bus.
/// </summary>
internal sealed record CliDeviceEnvironment
{
    /// <summary>Gets the environment of a real process.</summary>
    public static CliDeviceEnvironment Default { get; } = new();

    /// <summary>Gets the clock of the engine and of simulated devices: real time in the CLI, so timing is real.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Gets the factory of the provider for every selector that is not <c>sim:</c>, or <see langword="null"/> for libusb
    /// logging through <see cref="LoggerFactory"/>.
    /// </summary>
    public Func<IUsbDeviceProvider>? CreateUsbProvider { get; init; }

    /// <summary>Gets where the library logs: the console logger on standard error when <c>-v</c> or <c>--log-level</c> asks for it.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Gets the factory of the bus behind <c>sim:PROFILE</c>; by default one device of the profile at port sim-1.</summary>
    public Func<SimulatedDeviceProfile, TimeProvider, SimulatedUsbBus> CreateSimulatedBus { get; init; } = static (profile, time) =>
    {
        var bus = new SimulatedUsbBus(time);
        bus.Add(profile);
        return bus;
    };

    /// <summary>
    /// Gets the factory of the bus behind <c>sim:PROFILE*N</c> (a simulated rig); by default N boards of the profile at
    /// ports sim-1 … sim-N.
    /// </summary>
    public Func<SimulatedDeviceProfile, int, TimeProvider, SimulatedUsbBus> CreateSimulatedRig { get; init; } = static (profile, count, time) =>
    {
        var bus = new SimulatedUsbBus(time);
        for (int i = 0; i < count; i++)
        {
            bus.Add(profile);
        }

        return bus;
    };

    /// <summary>Gets the engine settings for a session on this environment's clock.</summary>
    public DfuDeviceOptions DeviceOptions => new() { TimeProvider = TimeProvider, LoggerFactory = LoggerFactory };

    /// <summary>Creates the provider for every selector that is not <c>sim:</c>.</summary>
    public IUsbDeviceProvider CreateUsbDeviceProvider()
        => CreateUsbProvider is { } create ? create() : new LibUsbDeviceProvider(loggerFactory: LoggerFactory, timeProvider: TimeProvider);
}
