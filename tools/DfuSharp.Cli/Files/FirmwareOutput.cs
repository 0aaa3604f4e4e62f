using System.Buffers;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;

namespace DfuSharp.Cli.Files;

/// <summary>
/// Writes what was read from a device (<c>upload</c>, <c>download --backup</c>) in the format the output file's
/// extension names: .dfu (DfuSe or plain, as read), .bin, .hex or .srec.
/// </summary>
internal static class FirmwareOutput
{
    /// <summary>Chooses the output format from the extension.</summary>
    /// <exception cref="CliException">The extension names no format (exit 64).</exception>
    public static FirmwareKind KindOf(string path)
        => FirmwareKindDetector.FromExtension(path)
           ?? throw CliException.Usage($"{path}: unknown output format; use .bin, .hex, .srec or .dfu");

    /// <summary>
    /// Writes a device image to its output file in that format, atomically and streamed: the encoding goes straight into
    /// the temporary file, with no copy of the whole output in memory.
    /// </summary>
    /// <returns>How many bytes were written.</returns>
    public static Task<long> WriteAsync(string path, FirmwareKind kind, DfuFile image, uint origin, CancellationToken cancellationToken)
        => CliFiles.WriteAtomicAsync(path, destination => Write(path, kind, image, origin, destination), cancellationToken);

    /// <summary>Encodes a device image in that format into <paramref name="destination"/>.</summary>
    /// <exception cref="CliFileException">The memory does not fit the format (exit 65).</exception>
    public static void Write(string path, FirmwareKind kind, DfuFile image, uint origin, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (kind is FirmwareKind.Dfu or FirmwareKind.DfuSe)
        {
            // A DfuSe body is encoded from its targets (canonical), plain firmware is written as read.
            (image.DfuSe is { } dfuse ? new DfuFile { DfuSe = dfuse, Suffix = image.Suffix } : image).Write(destination);
            return;
        }

        MemoryImage memory = image.DfuSe is { } targets
            ? CliFiles.Decode(path, () => FirmwareFiles.ToMemoryImage(path, targets))
            : CliFiles.Decode(path, () => MemoryImage.FromMemory(origin, image.Firmware));
        FirmwareFiles.WriteMemoryImage(path, memory, kind, destination);
    }

    /// <summary>
    /// Reads a .hex, .srec or .bin input into memory with the start address a text file names (type 03 or 05, S7, S8 or
    /// S9), so a conversion between text formats keeps it.
    /// </summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="content">Its bytes.</param>
    /// <param name="kind">Its format: <see cref="FirmwareKind.Hex"/>, <see cref="FirmwareKind.Srec"/> or <see cref="FirmwareKind.Bin"/>.</param>
    /// <param name="binAddress">Where a .bin input starts in memory.</param>
    /// <exception cref="CliFileException">The file is malformed (exit 65).</exception>
    public static TextImage ReadText(string path, byte[] content, FirmwareKind kind, uint binAddress) => kind switch
    {
        FirmwareKind.Hex => CliFiles.Decode(path, () => IntelHex.Read(content) is var hex ? new TextImage(hex.Image, hex.StartAddress) : null!),
        FirmwareKind.Srec => CliFiles.Decode(path, () => SRecord.Read(content) is var srec
            ? new TextImage(srec.Image, srec.StartAddress is { } start ? IntelHexStartAddress.Linear(start) : null)
            : null!),
        _ => new TextImage(FirmwareFiles.ReadMemoryImage(path, content, kind, binAddress), null),
    };

    /// <summary>
    /// Writes memory as .hex, .srec or .bin straight into <paramref name="destination"/>, with the start address: an
    /// Intel HEX file gets it as read (03 or 05), an S-record file as S7, S8 or S9 (an 03 start as the address
    /// CS × 16 + IP it means). No copy of the whole output is made.
    /// </summary>
    /// <param name="path">The output file, for messages.</param>
    /// <param name="image">The memory.</param>
    /// <param name="kind">The format.</param>
    /// <param name="start">The start address, or <see langword="null"/>.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <exception cref="CliFileException">The memory does not fit the format (exit 65).</exception>
    public static void WriteText(string path, MemoryImage image, FirmwareKind kind, IntelHexStartAddress? start, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        CliFiles.Decode(path, () =>
        {
            switch (kind)
            {
                case FirmwareKind.Hex:
                    IntelHex.Write(image, destination, new IntelHexWriteOptions { StartAddress = start });
                    break;
                case FirmwareKind.Srec:
                    SRecord.Write(image, destination, new SRecordWriteOptions { StartAddress = start?.Address });
                    break;
                default:
                    RawBinary.Write(image, destination);
                    break;
            }

            return kind;
        });
    }
}

/// <summary>Memory read from a text or binary firmware file, with the start address a text file names.</summary>
/// <param name="Image">The memory.</param>
/// <param name="Start">The execution start address, or <see langword="null"/>.</param>
internal sealed record TextImage(MemoryImage Image, IntelHexStartAddress? Start);
