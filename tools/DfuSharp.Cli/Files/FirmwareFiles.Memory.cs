using System.Buffers;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;

namespace DfuSharp.Cli.Files;

/// <summary>The memory-image side of the file operations: .hex, .srec and .bin in and out, DfuSe targets to and from images.</summary>
internal static partial class FirmwareFiles
{
    /// <summary>Reads .hex, .srec or .bin content into memory; a .bin image shares <paramref name="content"/>, uncopied.</summary>
    internal static MemoryImage ReadMemoryImage(string path, ReadOnlyMemory<byte> content, FirmwareKind kind, uint binAddress) => kind switch
    {
        FirmwareKind.Hex => CliFiles.Decode(path, () => IntelHex.Read(content.Span).Image),
        FirmwareKind.Srec => CliFiles.Decode(path, () => SRecord.Read(content.Span).Image),
        _ => CliFiles.Decode(path, () => MemoryImage.FromMemory(binAddress, content)),
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

    /// <summary>Writes memory as .hex, .srec or .bin into <paramref name="destination"/>, with no copy of the whole output.</summary>
    internal static void WriteMemoryImage(string path, MemoryImage image, FirmwareKind kind, IBufferWriter<byte> destination)
        => FirmwareOutput.WriteText(path, image, kind, start: null, destination);
}
