using System.Buffers;

using DfuSharp.Formats;

namespace DfuSharp.Benchmarks;

/// <summary>Deterministic benchmark inputs: seeded pseudo-random firmware, as files the formats read.</summary>
internal static class BenchmarkData
{
    public const uint FlashBase = 0x0800_0000;

    public static byte[] Firmware(int length, int seed = 42)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A DfuSe file of about <paramref name="length"/> bytes: one target, 128 KiB elements, like a sectored flash image.</summary>
    public static byte[] DfuSeFile(int length)
    {
        byte[] firmware = Firmware(length);
        const int elementSize = 128 * 1024;
        var elements = new List<DfuSeElement>();
        for (int offset = 0; offset < firmware.Length; offset += elementSize)
        {
            int size = Math.Min(elementSize, firmware.Length - offset);
            elements.Add(new DfuSeElement(FlashBase + (uint)offset, firmware.AsMemory(offset, size)));
        }

        var image = new DfuSeImage([new DfuSeTarget(0, "Internal Flash", [.. elements])]);
        return DfuFile.FromDfuSe(image, new DfuSuffix { VendorId = 0x0483, ProductId = 0xDF11, DeviceVersion = 0x2200, DfuVersion = DfuSuffix.DfuSe }).ToArray();
    }

    /// <summary>An Intel HEX file of at least <paramref name="fileLength"/> bytes (16-byte records, linear addressing).</summary>
    public static byte[] IntelHexFile(int fileLength)
    {
        // A 16-byte data record is 44 characters with its LF: ':' + 2 + 4 + 2 + 32 + 2 digits + newline.
        int dataLength = (int)((long)fileLength * 16 / 44) + 16;
        var writer = new ArrayBufferWriter<byte>(fileLength + 4096);
        IntelHex.Write(MemoryImage.FromBytes(FlashBase, Firmware(dataLength)), writer);
        return writer.WrittenSpan.ToArray();
    }
}
