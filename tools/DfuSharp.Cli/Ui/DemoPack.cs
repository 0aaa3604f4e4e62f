using System.Globalization;

using DfuSharp.Cli.Commands;
using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;

namespace DfuSharp.Cli.Ui;

/// <summary>What the file generator was asked for.</summary>
/// <param name="Inputs">The inputs, separated by <c>;</c>: a .hex or .srec path, or <c>ADDR:FILE</c> for a raw binary
/// (as <c>file pack --bin</c>).</param>
/// <param name="OutputPath">The .dfu file to write.</param>
/// <param name="DfuSe">A DfuSe file (one target with an element per contiguous run), or a plain DFU 1.1 file (one
/// contiguous image and a suffix).</param>
/// <param name="VendorId">idVendor of the suffix.</param>
/// <param name="ProductId">idProduct of the suffix.</param>
/// <param name="DeviceVersion">bcdDevice of the suffix.</param>
/// <param name="AlternateSetting">The DfuSe target's alternate setting.</param>
/// <param name="TargetName">The DfuSe target's name, or <see langword="null"/>.</param>
internal sealed record PackRequest(string Inputs, string OutputPath, bool DfuSe, ushort VendorId, ushort ProductId, ushort DeviceVersion,
    byte AlternateSetting, string? TargetName);

/// <summary>
/// The generator's work, on the code path of <c>dfusharp file pack</c>: <see cref="PackInput"/> and
/// <see cref="PackGroup"/>, <see cref="FirmwareFiles.ToElements"/>, <see cref="FirmwareFiles.ToDfuSe"/>,
/// <see cref="FirmwareFiles.WriteDfuSe"/> and <see cref="CliFiles.WriteAtomicAsync(string, Action{System.Buffers.IBufferWriter{byte}}, CancellationToken)"/>.
/// Only the few lines that chain them inside the <c>pack</c> command's action are repeated here, because that action is
/// a lambda. A plain .dfu is the contiguous image with a DFU 1.1 suffix (DFU 1.1 Appendix B), as
/// <c>dfusharp file suffix add</c> makes it.
/// </summary>
internal static class DemoPack
{
    /// <summary>Reads the inputs, builds the file and writes it atomically; returns a one-line summary.</summary>
    /// <exception cref="CliException">An input is malformed or missing, or the file cannot be encoded.</exception>
    /// <exception cref="DfuFormatException">An input file is not valid.</exception>
    public static async Task<string> WriteAsync(PackRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.OutputPath))
        {
            throw CliException.Usage("name the .dfu file to write");
        }

        var group = new PackGroup(request.AlternateSetting, string.IsNullOrWhiteSpace(request.TargetName) ? null : request.TargetName, ParseInputs(request.Inputs));
        var elements = new List<DfuSeElement>();
        foreach (PackInput input in group.Inputs)
        {
            byte[] content = await CliFiles.ReadAsync(input.Path, cancellationToken).ConfigureAwait(false);
            elements.AddRange(FirmwareFiles.ToElements(input, content));
        }

        var suffix = new DfuSuffix
        {
            VendorId = request.VendorId,
            ProductId = request.ProductId,
            DeviceVersion = request.DeviceVersion,
            DfuVersion = request.DfuSe ? DfuSuffix.DfuSe : DfuSuffix.Dfu10,
        };
        if (request.DfuSe)
        {
            DfuFile packed = FirmwareFiles.ToDfuSe(new DfuSeImage([new DfuSeTarget(group.AlternateSetting, group.Name, [.. elements])]), suffix);
            long written = await CliFiles.WriteAtomicAsync(request.OutputPath, w => FirmwareFiles.WriteDfuSe(packed, w), cancellationToken).ConfigureAwait(false);
            return string.Create(CultureInfo.InvariantCulture, $"{request.OutputPath}: wrote a DfuSe file, alt {group.AlternateSetting}, {elements.Count} element(s), {written} bytes");
        }

        if (elements.Count != 1)
        {
            throw CliException.Usage($"a plain .dfu holds one contiguous image, but the inputs make {elements.Count}; choose DfuSe");
        }

        var plain = new DfuFile { Firmware = elements[0].Data, Suffix = suffix };
        long length = await CliFiles.WriteAtomicAsync(request.OutputPath, plain.Write, cancellationToken).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture, $"{request.OutputPath}: wrote a plain DFU file, {length} bytes (image from 0x{elements[0].Address:X8})");
    }

    /// <summary>Reads the inputs field: <c>;</c>-separated, each a .hex/.srec path or <c>ADDR:FILE</c> for a binary.</summary>
    /// <exception cref="CliException">An input is malformed, or there is none.</exception>
    public static IReadOnlyList<PackInput> ParseInputs(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var inputs = new List<PackInput>();
        foreach (string part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && CliNumbers.TryParseUInt32(part[..colon], out uint address))
            {
                inputs.Add(new PackInput(FirmwareKind.Bin, part[(colon + 1)..], address));
                continue;
            }

            FirmwareKind kind = FirmwareKindDetector.FromExtension(part) switch
            {
                FirmwareKind.Hex => FirmwareKind.Hex,
                FirmwareKind.Srec => FirmwareKind.Srec,
                _ => throw CliException.Usage($"'{part}': give a .hex or .srec file, or ADDR:FILE for a binary (for example 0x08000000:app.bin)"),
            };
            inputs.Add(new PackInput(kind, part, 0));
        }

        return inputs.Count > 0 ? inputs : throw CliException.Usage("the generator needs at least one input: FILE.hex, FILE.srec or ADDR:FILE.bin");
    }
}
