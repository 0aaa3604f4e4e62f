using System.Buffers;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;

namespace DfuSharp.Cli.Files;

/// <summary>The memory-image side of the file operations: .hex, .srec and .bin in and out, DfuSe targets to and from images.</summary>
internal static partial class FirmwareFiles
{
    private static MemoryImage ReadMemoryImage(string path, byte[] content, FirmwareKind kind, uint binAddress) => kind switch
    {
        FirmwareKind.Hex => CliFiles.Decode(path, () => IntelHex.Read(content).Image),
        FirmwareKind.Srec => CliFiles.Decode(path, () => SRecord.Read(content).Image),
        _ => ReadBinary(path, content, binAddress),
    };

    private static MemoryImage ReadBinary(string path, byte[] content, uint address)
    {
        if ((ulong)address + (ulong)content.Length > 1UL << 32)
        {
            throw CliException.BadData(path, $"{content.Length} bytes at 0x{address:X8} run past the 32-bit address space");
        }

        return MemoryImage.FromBytes(address, content);
    }

    private static DfuSeTarget ToTarget(MemoryImage image, byte alternateSetting)
        => DfuSeConvert.ToTarget(image, alternateSetting, name: null);

    private static MemoryImage ToMemoryImage(DfuSeImage image) => DfuSeConvert.ToMemoryImage(image);

    private static byte[] WriteMemoryImage(MemoryImage image, FirmwareKind kind)
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
                return image.ToArray(fill: 0xFF);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
