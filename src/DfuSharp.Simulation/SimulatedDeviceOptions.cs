using System.Collections.Immutable;

namespace DfuSharp.Simulation;

/// <summary>Memory contents to preload into a simulated device.</summary>
/// <param name="Address">The first address (DfuSe), or the offset in the firmware store (plain DFU).</param>
/// <param name="Data">The bytes.</param>
public sealed record SimulatedMemoryImage(uint Address, ImmutableArray<byte> Data);

/// <summary>Which busy times a simulated device takes.</summary>
public enum SimulatedTimingMode
{
    /// <summary>The typical times of the profile's datasheet, every time: runs are exactly reproducible.</summary>
    Typical = 0,

    /// <summary>Each operation draws its time uniformly between the typical and the maximum time of the datasheet
    /// (<see cref="SimulatedTiming.ProgramTimeMaxRatio"/>, <see cref="SimulatedTiming.EraseTimeMaxRatio"/>), from a
    /// generator seeded with <see cref="SimulatedDeviceOptions.Seed"/>: the same seed gives the same times.</summary>
    Drawn,
}

/// <summary>How one simulated device is run: its clock, its faults, what it holds at start.</summary>
public sealed record SimulatedDeviceOptions
{
    /// <summary>Gets the clock: <see cref="TimeProvider.System"/> for real time, a <see cref="VirtualTimeProvider"/> in tests.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the faults to inject.</summary>
    public SimulatedFaults Faults { get; init; } = SimulatedFaults.None;

    /// <summary>Gets memory to preload (programmed directly, bypassing the protocol).</summary>
    public ImmutableArray<SimulatedMemoryImage> InitialMemory { get; init; } = [];

    /// <summary>Gets a value indicating whether flash read protection is active at start.</summary>
    public bool ReadProtected { get; init; }

    /// <summary>Gets the start addresses of write-protected sectors (erase and program fail with errWRITE).</summary>
    public ImmutableArray<uint> WriteProtectedSectors { get; init; } = [];

    /// <summary>Gets the port path the device reports, or <see langword="null"/> for <c>sim:PROFILE</c>.</summary>
    public string? PortPath { get; init; }

    /// <summary>Gets how long the device is off the bus when it re-enumerates, or <see langword="null"/> for the profile's time.</summary>
    public TimeSpan? ReenumerationDelay { get; init; }

    /// <summary>Gets a value indicating whether a DFU-mode device starts in dfuERROR with errFIRMWARE, as an ST ROM
    /// without a valid application does (dfu-util device-logs/stm32f4discovery.bin-download).</summary>
    public bool StartsInFirmwareError { get; init; }

    /// <summary>Gets the seed of the device's random draws (<see cref="SimulatedDeviceProfile.EarlyPollStallChance"/>,
    /// and the busy times in <see cref="SimulatedTimingMode.Drawn"/>).</summary>
    public int Seed { get; init; }

    /// <summary>Gets which busy times the device takes: the datasheet's typical ones (the default) or drawn between
    /// typical and maximum with <see cref="Seed"/>.</summary>
    public SimulatedTimingMode TimingMode { get; init; }

    /// <summary>
    /// Gets the hub whose bus the device shares with other boards (their transfers serialize their bus time), or
    /// <see langword="null"/> for a bus of its own; <see cref="SimulatedUsbBus.Add(SimulatedDeviceProfile, SimulatedDeviceOptions?)"/>
    /// fills in <see cref="SimulatedUsbBus.Hub"/> when this is unset.
    /// </summary>
    public SimulatedUsbHub? Hub { get; init; }

    /// <summary>Gets the serial number, or <see langword="null"/> for the profile's.</summary>
    public string? SerialNumber { get; init; }
}
