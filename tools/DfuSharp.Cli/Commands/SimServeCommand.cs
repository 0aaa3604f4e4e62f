using System.Buffers.Binary;
using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using DfuSharp.Protocol;
using DfuSharp.DfuSe;
using DfuSharp.Simulation;
using DfuSharp.Simulation.Serving;

namespace DfuSharp.Cli.Commands;

/// <summary>
/// <c>dfusharp sim serve --profile P [--sim-state FILE] --stdio</c>: runs a simulated device as the device model of
/// tools/usb-emulator, answering the emulator's frames on stdin/stdout until stdin ends. Nothing else may be written
/// to stdout; diagnostics go to stderr.
/// </summary>
internal static class SimServeCommand
{
    /// <summary>Exit code for a usage error (sysexits EX_USAGE).</summary>
    private const int ExitUsage = 64;

    /// <summary>Exit code for a malformed frame or state file (sysexits EX_DATAERR).</summary>
    private const int ExitData = 65;

    /// <summary>Creates the <c>sim</c> command with its <c>serve</c> subcommand.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "The simulated device profile (stm32f4, stm32f1-app, dfu11, runtime, …).", Required = true };
        var state = new Option<FileInfo?>("--sim-state") { Description = "Load the device's memory from FILE if it exists, and save it there on exit." };
        var stdio = new Option<bool>("--stdio") { Description = "Speak the framed emulator protocol on stdin/stdout (the only transport)." };
        var instant = new Option<bool>("--instant") { Description = "Ignore the profile's timings: no busy time, zero poll timeouts (for tests)." };
        var faults = new Option<string[]>("--fault")
        {
            Description = "Inject a fault (repeatable): getstatus-never-answers[:BLOCK], stall-at-block:N, status-at-block:N:STATUS, disconnect-at-block:N, disconnect-at-leave, corrupt-write.",
            AllowMultipleArgumentsPerToken = false,
        };
        var serve = new Command("serve", "Serve a simulated device to tools/usb-emulator, so libusb programs (dfusharp, dfu-util) reach it through the Linux USB stack.")
        {
            profile, state, stdio, instant, faults,
        };
        serve.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!parseResult.GetValue(stdio))
            {
                await Console.Error.WriteLineAsync("dfusharp: sim serve needs --stdio (the emulator's framed protocol on stdin/stdout).");
                return ExitUsage;
            }

            SimulatedFaults injected;
            try
            {
                injected = SimulatedFaults.Of([.. (parseResult.GetValue(faults) ?? []).Select(SimFaultSpec.Parse)]);
            }
            catch (FormatException ex)
            {
                await Console.Error.WriteLineAsync($"dfusharp: --fault: {ex.Message}");
                return ExitUsage;
            }

            return await ServeAsync(
                parseResult.GetValue(profile)!, parseResult.GetValue(state), parseResult.GetValue(instant), injected,
                Console.OpenStandardInput(), Console.OpenStandardOutput(), cancellationToken);
        });

        return new Command("sim", "Simulated devices.") { serve };
    }

    /// <summary>Serves one device over a pair of streams.</summary>
    /// <param name="profileName">The profile.</param>
    /// <param name="stateFile">Where the memory is kept between runs, or <see langword="null"/>.</param>
    /// <param name="instant">Drop the profile's timings.</param>
    /// <param name="faults">Faults to inject.</param>
    /// <param name="input">Request frames.</param>
    /// <param name="output">Response frames.</param>
    /// <param name="cancellationToken">Stops serving.</param>
    /// <returns>The exit code.</returns>
    internal static async Task<int> ServeAsync(
        string profileName, FileInfo? stateFile, bool instant, SimulatedFaults faults, Stream input, Stream output,
        CancellationToken cancellationToken)
    {
        SimulatedDeviceProfile profile;
        try
        {
            profile = SimulatedProfiles.Get(profileName);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"dfusharp: {ex.Message}");
            return ExitUsage;
        }

        if (instant)
        {
            profile = WithoutTimings(profile);
        }

        ImmutableArray<SimulatedMemoryImage> memory = [];
        if (stateFile is { Exists: true })
        {
            try
            {
                memory = SimStateFile.Read(await File.ReadAllBytesAsync(stateFile.FullName, cancellationToken));
            }
            catch (InvalidDataException ex)
            {
                await Console.Error.WriteLineAsync($"dfusharp: {stateFile.FullName}: {ex.Message}");
                return ExitData;
            }
        }

        var device = new SimulatedDfuDevice(profile, new SimulatedDeviceOptions { InitialMemory = memory, PortPath = "1-1", Faults = faults });
        FramedDeviceServer server = SimulatedDeviceServing.CreateServer(device);
        try
        {
            await server.RunAsync(input, output, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            await Console.Error.WriteLineAsync($"dfusharp: sim serve: {ex.Message}");
            return ExitData;
        }
        catch (IOException)
        {
            // The emulator went away mid-frame (killed); the memory is still worth saving.
        }

        if (stateFile is not null)
        {
            await File.WriteAllBytesAsync(stateFile.FullName, SimStateFile.Write(Snapshot(device)), CancellationToken.None);
        }

        return 0;
    }

    private static SimulatedDeviceProfile WithoutTimings(SimulatedDeviceProfile profile)
    {
        SimulatedTiming instant = SimulatedTiming.Instant with { ReenumerationTime = TimeSpan.FromMilliseconds(20) };
        return profile with
        {
            Timing = instant,
            DfuModeProfile = profile.DfuModeProfile is { } dfu ? dfu with { Timing = instant } : null,
        };
    }

    /// <summary>Reads every memory the device has: each DfuSe layout region, or the plain DFU firmware.</summary>
    private static ImmutableArray<SimulatedMemoryImage> Snapshot(SimulatedDfuDevice device)
    {
        var images = ImmutableArray.CreateBuilder<SimulatedMemoryImage>();
        IEnumerable<SimulatedAlternateSetting> settings = device.HomeProfile.AlternateSettings
            .Concat(device.HomeProfile.DfuModeProfile?.AlternateSettings ?? []);
        foreach (SimulatedAlternateSetting setting in settings)
        {
            if (!DfuSeMemoryLayout.TryParse(setting.Name, out DfuSeMemoryLayout? layout))
            {
                continue;
            }

            foreach (DfuSeMemoryRegion region in layout.Regions)
            {
                try
                {
                    images.Add(new SimulatedMemoryImage(region.Address, [.. device.ReadMemory(region.Address, checked((int)region.Length))]));
                }
                catch (ArgumentOutOfRangeException)
                {
                    // A region the simulated device does not back with memory (or already saved under another setting).
                }
            }
        }

        if (images.Count == 0)
        {
            images.Add(new SimulatedMemoryImage(0, [.. device.Firmware.Span]));
        }

        return images.DistinctBy(i => i.Address).ToImmutableArray();
    }
}

/// <summary>
/// The memory of a simulated device between runs: the magic <c>DFUSIM1\n</c>, then images of
/// <c>u32 address, u32 length, length bytes</c> (little-endian).
/// </summary>
internal static class SimStateFile
{
    private static ReadOnlySpan<byte> Magic => "DFUSIM1\n"u8;

    private const int ImageHeaderSize = 8;

    /// <summary>Parses a state file.</summary>
    /// <param name="bytes">The file.</param>
    /// <returns>The images.</returns>
    /// <exception cref="InvalidDataException">The file is not a state file or is truncated (with the offset).</exception>
    public static ImmutableArray<SimulatedMemoryImage> Read(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.StartsWith(Magic))
        {
            throw new InvalidDataException("not a simulated device state file (bad magic at offset 0)");
        }

        var images = ImmutableArray.CreateBuilder<SimulatedMemoryImage>();
        int offset = Magic.Length;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < ImageHeaderSize)
            {
                throw new InvalidDataException($"truncated image header at offset {offset}");
            }

            uint address = BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(offset + 4)..]);
            offset += ImageHeaderSize;
            if (length > (uint)(bytes.Length - offset))
            {
                throw new InvalidDataException($"image at offset {offset - ImageHeaderSize} announces {length} bytes but {bytes.Length - offset} remain");
            }

            images.Add(new SimulatedMemoryImage(address, [.. bytes.Slice(offset, (int)length)]));
            offset += (int)length;
        }

        return images.ToImmutable();
    }

    /// <summary>Encodes a state file.</summary>
    /// <param name="images">The images.</param>
    /// <returns>The file.</returns>
    public static byte[] Write(ImmutableArray<SimulatedMemoryImage> images)
    {
        using var stream = new MemoryStream();
        stream.Write(Magic);
        Span<byte> header = stackalloc byte[ImageHeaderSize];
        foreach (SimulatedMemoryImage image in images)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header, image.Address);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)image.Data.Length);
            stream.Write(header);
            stream.Write(image.Data.AsSpan());
        }

        return stream.ToArray();
    }
}

/// <summary>Parses the fault specifications of <c>sim serve --fault</c>.</summary>
internal static class SimFaultSpec
{
    /// <summary>Parses one specification.</summary>
    /// <param name="text">For example <c>stall-at-block:3</c> or <c>status-at-block:2:ErrVerify</c>.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="FormatException">The text is not a known fault.</exception>
    public static SimulatedFault Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        return (parts[0], parts.Length) switch
        {
            ("getstatus-never-answers", 1) => SimulatedFault.GetStatusNeverAnswers(),
            ("getstatus-never-answers", 2) => SimulatedFault.GetStatusNeverAnswers(Block(parts[1])),
            ("stall-at-block", 2) => SimulatedFault.StallAtBlock(Block(parts[1])),
            ("status-at-block", 3) => SimulatedFault.StatusAtBlock(Block(parts[1]), Status(parts[2])),
            ("disconnect-at-block", 2) => SimulatedFault.DisconnectAtBlock(Block(parts[1])),
            ("disconnect-at-leave", 1) => SimulatedFault.DisconnectAtLeave(),
            ("corrupt-write", 1) => SimulatedFault.CorruptWrite(),
            _ => throw new FormatException($"\"{text}\" is not a known fault."),
        };
    }

    private static int Block(string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int block)
            ? block
            : throw new FormatException($"\"{text}\" is not a block number.");

    private static DfuStatus Status(string text)
        => Enum.TryParse(text, ignoreCase: true, out DfuStatus status) && Enum.IsDefined(status)
            ? status
            : throw new FormatException($"\"{text}\" is not a DFU status (for example ErrVerify).");
}
