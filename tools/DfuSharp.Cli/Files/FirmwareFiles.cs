using System.Collections.Immutable;
using System.Security.Cryptography;

using DfuSharp.Cli.Commands;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.Formats;

namespace DfuSharp.Cli.Files;

/// <summary>What <c>file info</c> found: the JSON facts plus what the text form and the warnings need.</summary>
internal sealed record FirmwareDescription(FileInfoJson Info, long FileLength, bool? CrcValid, uint? ComputedCrc,
    ImmutableArray<DfuFileWarning> Warnings);

/// <summary>How <c>file convert</c> reads its input and stamps a .dfu output.</summary>
/// <param name="Address">Where a .bin or plain .dfu input starts.</param>
/// <param name="Target">The DfuSe alternate setting to read or to write, or <see langword="null"/>.</param>
/// <param name="VendorId">idVendor of a .dfu output, or <see langword="null"/> for the input's (DfuSe) or 0x0483.</param>
/// <param name="ProductId">idProduct of a .dfu output, or <see langword="null"/> for the input's (DfuSe) or 0xDF11.</param>
/// <param name="DeviceVersion">bcdDevice of a .dfu output, or <see langword="null"/> for the input's (DfuSe) or 0.</param>
internal sealed record ConvertRequest(uint Address, byte? Target, ushort? VendorId, ushort? ProductId, ushort? DeviceVersion);

/// <summary>
/// The file operations behind <c>dfusharp file</c>, as pure functions from bytes to bytes or facts. They call the
/// DfuSharp.Formats codecs and raise <see cref="CliException"/> or <see cref="DfuFormatException"/> (attached to the
/// file by <see cref="CliFiles.Decode{T}"/>); they never print.
/// </summary>
internal static partial class FirmwareFiles
{
    /// <summary>ST's vendor ID, dfuse-pack's default.</summary>
    public const ushort StVendorId = 0x0483;

    /// <summary>The product ID of ST's DFU bootloader, dfuse-pack's default.</summary>
    public const ushort StDfuProductId = 0xDF11;

    private static readonly DfuReadOptions s_rawSuffixRead = new()
    {
        SuffixPolicy = DfuSuffixPolicy.Required,
        VerifyCrc = false,
        ParseDfuSe = false,
        DetectPrefix = false,
    };

    /// <summary>Describes a file for <c>file info</c>. A wrong CRC is reported, not thrown.</summary>
    public static FirmwareDescription Describe(string path, byte[] content, uint binAddress)
    {
        FirmwareKind kind = FirmwareKindDetector.Detect(content, path);
        if (kind == FirmwareKind.Dfu)
        {
            DfuFileInfo info = CliFiles.Decode(path, () => DfuFile.Inspect(content, new DfuReadOptions { VerifyCrc = false }));
            DfuFile file = info.File;
            bool isDfuSe = file.DfuSe is not null;
            SuffixJson? suffix = file.Suffix is { } s
                ? new SuffixJson(s.VendorId, s.ProductId, s.DeviceVersion, s.DfuVersion, s.Length, info.StoredCrc ?? 0, info.CrcValid ?? false)
                : null;
            PrefixJson? prefix = file.Prefix is { } p ? new PrefixJson(FileInfoPrinter.PrefixName(p.Type), p.Length) : null;
            var targets = file.DfuSe is { } image
                ? image.Targets.Select(t => new TargetJson(t.AlternateSetting, t.Name,
                    t.Elements.Select(e => Segment(e.Address, e.Data.Span)).ToArray())).ToArray()
                : [];
            SegmentJson[] segments = isDfuSe || file.Firmware.IsEmpty ? [] : [Segment(0, file.Firmware.Span)];
            var json = new FileInfoJson(FirmwareKindDetector.Name(isDfuSe ? FirmwareKind.DfuSe : FirmwareKind.Dfu), suffix, prefix, targets, segments);
            return new FirmwareDescription(json, content.Length, info.CrcValid, info.ComputedCrc, info.Warnings);
        }

        MemoryImage memory = ReadMemoryImage(path, content, kind, binAddress);
        var memoryJson = new FileInfoJson(FirmwareKindDetector.Name(kind), null, null, [],
            memory.Segments.Select(s => Segment(s.Address, s.Data.Span)).ToArray());
        return new FirmwareDescription(memoryJson, content.Length, null, null, []);
    }

    /// <summary>
    /// Appends a suffix, as <c>dfu-suffix -a</c>; a file that already has one is refused. The result shares
    /// <paramref name="content"/>; <see cref="DfuFile.Write(System.Buffers.IBufferWriter{byte})"/> streams it.
    /// </summary>
    public static DfuFile AddSuffix(string path, byte[] content, DfuSuffix suffix)
    {
        if (FirmwareKindDetector.HasSuffixSignature(content))
        {
            throw CliException.BadData(path, "the file already has a DFU suffix; remove it first (dfusharp file suffix remove)");
        }

        return new DfuFile { Firmware = content, Suffix = suffix };
    }

    /// <summary>Reads and verifies a suffix, as <c>dfu-suffix -c</c>.</summary>
    public static DfuFileInfo CheckSuffix(string path, byte[] content)
        => CliFiles.Decode(path, () => DfuFile.Inspect(content, s_rawSuffixRead with { VerifyCrc = true }));

    /// <summary>Removes a suffix, as <c>dfu-suffix -D</c>. A wrong CRC does not stop the removal; it is reported.</summary>
    public static ReadOnlyMemory<byte> RemoveSuffix(string path, byte[] content, CliContext context)
    {
        DfuFileInfo info = CliFiles.Decode(path, () => DfuFile.Inspect(content, s_rawSuffixRead));
        if (info.CrcValid == false)
        {
            context.Warn(path, $"the removed suffix had a wrong CRC (stored 0x{info.StoredCrc:X8}, computed 0x{info.ComputedCrc:X8})");
        }

        return content.AsMemory(0, content.Length - (info.SuffixLength ?? 0));
    }

    /// <summary>
    /// Puts a vendor prefix in front of the firmware, as <c>dfu-prefix -a</c>, keeping any suffix (its CRC is
    /// recomputed when the file is written).
    /// </summary>
    public static DfuFile AddPrefix(string path, byte[] content, DfuPrefixType type, uint address)
    {
        DfuFile file = ReadForPrefix(path, content);
        if (file.Prefix is { } existing)
        {
            throw CliException.BadData(path, $"the file already has a {FileInfoPrinter.PrefixDisplayName(existing.Type)} prefix; remove it first (dfusharp file prefix remove)");
        }

        if (DfuSeCodec.HasSignature(file.Firmware.Span))
        {
            // dfu-util's prefixes belong to plain DFU images; a DfuSe body must start the file (ST UM0391).
            throw CliException.BadData(path, "a DfuSe file cannot take a vendor prefix");
        }

        DfuPrefix prefix;
        try
        {
            prefix = type == DfuPrefixType.Lpc
                ? DfuPrefixes.CreateLpc(file.Firmware.Length)
                : DfuPrefixes.CreateStellaris(address, file.Firmware.Length);
        }
        catch (ArgumentOutOfRangeException ex) when (ex.ParamName == "firmwareLength")
        {
            throw CliException.BadData(path, $"the firmware is {file.Firmware.Length} bytes; an LPC prefix describes at most {DfuPrefixes.MaxLpcFirmwareLength}");
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage($"--address 0x{address:X8}: a Stellaris prefix needs a multiple of 1024 below 64 MiB ({CliErrors.WithoutParameter(ex)})");
        }

        return file with { Prefix = prefix };
    }

    /// <summary>Removes the vendor prefix, as <c>dfu-prefix -D</c>, keeping any suffix (its CRC is recomputed when written).</summary>
    public static (DfuFile Output, DfuPrefixType Removed) RemovePrefix(string path, byte[] content, DfuPrefixType? expected)
    {
        DfuFile file = ReadForPrefix(path, content);
        if (file.Prefix is not { } prefix)
        {
            throw CliException.BadData(path, "the file has no NXP LPC or TI Stellaris prefix");
        }

        if (expected is { } want && want != prefix.Type)
        {
            throw CliException.BadData(path, $"the file has a {FileInfoPrinter.PrefixDisplayName(prefix.Type)} prefix, not {FileInfoPrinter.PrefixDisplayName(want)}");
        }

        return (file with { Prefix = null }, prefix.Type);
    }

    /// <summary>Turns one input of <c>file pack</c> into DfuSe elements: one for a binary, one per contiguous run of a text file.</summary>
    public static IEnumerable<DfuSeElement> ToElements(PackInput input, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Kind == FirmwareKind.Bin && FirmwareKindDetector.HasSuffixSignature(content))
        {
            throw CliException.BadData(input.Path, "a --bin input must be raw firmware, but this file has a DFU suffix (dfusharp file suffix remove strips it)");
        }

        MemoryImage image = ReadMemoryImage(input.Path, content, input.Kind, input.Address);
        return image.Segments.Select(s => new DfuSeElement(s.Address, s.Data));
    }

    /// <summary>
    /// Makes a DfuSe file with this suffix, after the overlap check download and convert make (elements of one
    /// alternate setting may overlap only with the same bytes), and checks that it can be encoded. Nothing is encoded
    /// yet: <see cref="WriteDfuSe"/> encodes it straight into the output.
    /// </summary>
    /// <exception cref="CliException">The image cannot be encoded (a name too long, too many elements; exit 64).</exception>
    public static DfuFile ToDfuSe(DfuSeImage image, DfuSuffix suffix)
    {
        ArgumentNullException.ThrowIfNull(image);
        foreach (byte alt in image.Targets.Select(t => t.AlternateSetting).Distinct())
        {
            _ = DfuSeConvert.ToMemoryImage(image, alt);
        }

        var file = new DfuFile { DfuSe = image, Suffix = suffix };
        try
        {
            _ = file.GetLength();
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.Message);
        }

        return file;
    }

    /// <summary>Encodes a file made by <see cref="ToDfuSe"/> into <paramref name="destination"/>.</summary>
    /// <exception cref="CliException">The image cannot be encoded (exit 64).</exception>
    public static void WriteDfuSe(DfuFile file, System.Buffers.IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            file.Write(destination);
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.Message);
        }
    }

    /// <summary>
    /// Converts a file to another kind, as <c>file convert</c>: reads and checks the input, and gives what writes the
    /// output into a buffer writer (<see cref="CliFiles.WriteAtomicAsync(string, Action{System.Buffers.IBufferWriter{byte}}, CancellationToken)"/>
    /// streams it to the file). A .bin input and the firmware of a plain .dfu are not copied.
    /// </summary>
    public static Action<System.Buffers.IBufferWriter<byte>> Convert(string path, byte[] content, FirmwareKind outputKind, ConvertRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        FirmwareKind kind = FirmwareKindDetector.Detect(content, path);
        DfuSeImage? dfuse = null;
        MemoryImage? memory = null;
        DfuSuffix? inputSuffix = null;
        if (kind == FirmwareKind.Dfu)
        {
            DfuFile file = CliFiles.Decode(path, () => DfuFile.Read(content));
            if (file.DfuSe is { } image)
            {
                dfuse = SelectTargets(path, image, request.Target);
                inputSuffix = file.Suffix;
            }
            else
            {
                memory = ReadMemoryImage(path, file.Firmware, FirmwareKind.Bin, request.Address);
            }
        }
        else
        {
            memory = ReadMemoryImage(path, content, kind, request.Address);
        }

        if (outputKind == FirmwareKind.Dfu)
        {
            dfuse ??= new DfuSeImage([ToTarget(memory!, request.Target ?? 0)]);
            var suffix = new DfuSuffix
            {
                VendorId = request.VendorId ?? inputSuffix?.VendorId ?? StVendorId,
                ProductId = request.ProductId ?? inputSuffix?.ProductId ?? StDfuProductId,
                DeviceVersion = request.DeviceVersion ?? inputSuffix?.DeviceVersion ?? 0,
                DfuVersion = DfuSuffix.DfuSe,
            };
            DfuFile output = ToDfuSe(dfuse, suffix);
            return destination => WriteDfuSe(output, destination);
        }

        memory ??= CliFiles.Decode(path, () => ToMemoryImage(path, dfuse!));
        MemoryImage converted = memory;
        return destination => WriteMemoryImage(path, converted, outputKind, destination);
    }

    private static DfuSeImage SelectTargets(string path, DfuSeImage image, byte? alternateSetting)
    {
        if (alternateSetting is not { } alt)
        {
            return image;
        }

        var chosen = image.Targets.Where(t => t.AlternateSetting == alt).ToImmutableArray();
        if (chosen.IsEmpty)
        {
            string present = string.Join(", ", image.Targets.Select(t => t.AlternateSetting).Distinct());
            throw CliException.BadData(path, $"no DfuSe target for alternate setting {alt} (the file has {present})");
        }

        return new DfuSeImage(chosen);
    }

    private static DfuFile ReadForPrefix(string path, byte[] content)
        => CliFiles.Decode(path, () => DfuFile.Read(content, new DfuReadOptions
        {
            SuffixPolicy = DfuSuffixPolicy.Optional,
            VerifyCrc = true,
            ParseDfuSe = false,
            DetectPrefix = true,
        }));

    private static SegmentJson Segment(uint address, ReadOnlySpan<byte> data)
        => new(address, data.Length, System.Convert.ToHexStringLower(SHA256.HashData(data)));
}
