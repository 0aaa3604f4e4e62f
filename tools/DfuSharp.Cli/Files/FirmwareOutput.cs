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

    /// <summary>Encodes a device image in that format.</summary>
    /// <param name="path">The output file, for messages.</param>
    /// <param name="kind">The format, from <see cref="KindOf"/>.</param>
    /// <param name="image">What was read: a DfuSe image, or plain firmware with a suffix.</param>
    /// <param name="origin">Where plain firmware starts in memory, for .hex and .srec.</param>
    public static byte[] Encode(string path, FirmwareKind kind, DfuFile image, uint origin)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (kind is FirmwareKind.Dfu or FirmwareKind.DfuSe)
        {
            return image.DfuSe is { } dfuse ? DfuFile.FromDfuSe(dfuse, image.Suffix).ToArray() : image.ToArray();
        }

        MemoryImage memory = image.DfuSe is { } targets
            ? CliFiles.Decode(path, () => FirmwareFiles.ToMemoryImage(path, targets))
            : MemoryImage.FromBytes(origin, image.Firmware.Span);
        return FirmwareFiles.WriteMemoryImage(path, memory, kind);
    }
}
