using System.Buffers;

namespace DfuSharp.Formats;

/// <summary>Reads and writes raw binary images: bytes with no addresses of their own, placed at a base address.</summary>
public static class RawBinary
{
    /// <summary>The largest span <see cref="Write"/> produces by default: 256 MiB, far beyond any MCU flash.</summary>
    public const long DefaultMaxLength = 256L * 1024 * 1024;

    /// <summary>Reads a raw binary image.</summary>
    /// <param name="data">The file's bytes; they are copied.</param>
    /// <param name="baseAddress">The address of the first byte.</param>
    /// <returns>An image with one segment, or an empty image for an empty file.</returns>
    /// <exception cref="DfuFormatException">
    /// The bytes run past 0xFFFF_FFFF from <paramref name="baseAddress"/> (<see cref="DfuFormatError.AddressOverflow"/>).
    /// </exception>
    public static MemoryImage Read(ReadOnlySpan<byte> data, uint baseAddress = 0) => MemoryImage.FromBytes(baseAddress, data);

    /// <summary>Reads a raw binary image from a stream (to its end).</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="baseAddress">The address of the first byte.</param>
    /// <returns>An image with one segment, or an empty image for an empty stream.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">
    /// The bytes run past 0xFFFF_FFFF (<see cref="DfuFormatError.AddressOverflow"/>) or do not fit one buffer
    /// (<see cref="DfuFormatError.TooLarge"/>).
    /// </exception>
    public static MemoryImage Read(Stream stream, uint baseAddress = 0) => Read(TextInput.ReadAll(stream), baseAddress);

    /// <summary>
    /// Writes the bytes from <see cref="MemoryImage.StartAddress"/> to <see cref="MemoryImage.EndAddress"/>, filling
    /// the gaps; the file's first byte is the image's start address. An empty image writes nothing.
    /// </summary>
    /// <param name="image">The data.</param>
    /// <param name="destination">Where to write.</param>
    /// <param name="fill">The byte for addresses without data (0xFF is erased flash).</param>
    /// <param name="maxLength">The largest span to write; see <see cref="DefaultMaxLength"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="destination"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">
    /// The image spans more than <paramref name="maxLength"/> bytes (<see cref="DfuFormatError.TooLarge"/>), as when a
    /// HEX file holds both RAM and flash addresses. Nothing is written then.
    /// </exception>
    public static void Write(MemoryImage image, IBufferWriter<byte> destination, byte fill = 0xFF, long maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        if (image.SpanLength > (ulong)Math.Max(0, maxLength))
        {
            throw new DfuFormatException(
                DfuFormatError.TooLarge,
                $"The data spans 0x{image.StartAddress:X8}..0x{image.EndAddress - 1:X8} ({image.SpanLength} bytes), more than the {maxLength} bytes allowed for a binary image");
        }

        ulong position = image.StartAddress;
        foreach (MemorySegment segment in image.Segments)
        {
            for (ulong gap = segment.Address - position; gap > 0;)
            {
                Span<byte> span = destination.GetSpan();
                int n = (int)Math.Min((ulong)span.Length, gap);
                span[..n].Fill(fill);
                destination.Advance(n);
                gap -= (ulong)n;
            }

            destination.Write(segment.Data.Span);
            position = segment.End;
        }
    }
}
