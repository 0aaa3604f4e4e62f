using System.Buffers;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;

namespace DfuSharp.Cli.Files;

/// <summary>The memory-image side of the file operations: .hex, .srec and .bin in and out, DfuSe targets to and from images.</summary>
internal static partial class FirmwareFiles
{
    internal static MemoryImage ReadMemoryImage(string path, byte[] content, FirmwareKind kind, uint binAddress) => kind switch
    {
        FirmwareKind.Hex => CliFiles.Decode(path, () => IntelHex.Read(content).Image),
        FirmwareKind.Srec => CliFiles.Decode(path, () => SRecord.Read(content).Image),
        _ => CliFiles.Decode(path, () => RawBinary.Read(content, binAddress)),
    };

    private static DfuSeTarget ToTarget(MemoryImage image, byte alternateSetting)
        => DfuSeConvert.ToTarget(image, alternateSetting, name: null);

    // A DfuSe file for several alternate settings describes several memories; one of them must be chosen.
    internal static MemoryImage ToMemoryImage(string path, DfuSeImage image)
    {
        byte[] alternates = image.Targets.Select(t => t.AlternateSetting).Distinct().ToArray();
        if (alternates.Length > 1)
        {
            throw CliException.Usage($"{path} has targets for alternate settings {string.Join(", ", alternates)}; choose one with --target");
        }

        return alternates.Length == 0 ? MemoryImage.Empty : DfuSeConvert.ToMemoryImage(image, alternates[0]);
    }

    internal static byte[] WriteMemoryImage(string path, MemoryImage image, FirmwareKind kind)
    {
        var buffer = new ArrayBufferWriter<byte>();
        switch (kind)
        {
            case FirmwareKind.Hex:
                IntelHex.Write(image, buffer);
                break;
            case FirmwareKind.Srec:
                SRecord.Write(image, buffer);
                break;
            default:
                CliFiles.Decode(path, () =>
                {
                    RawBinary.Write(image, buffer);
                    return buffer.WrittenCount;
                });
                break;
        }

        return buffer.WrittenSpan.ToArray();
    }
}
