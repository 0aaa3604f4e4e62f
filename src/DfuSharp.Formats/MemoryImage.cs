using System.Collections.Immutable;

namespace DfuSharp.Formats;

/// <summary>
/// A sparse memory image: the bytes a firmware file places at addresses in a 32-bit address space. Every conversion
/// between Intel HEX, S-record, raw binary and DfuSe goes through this type.
/// </summary>
/// <remarks>
/// <see cref="Segments"/> are sorted by address, never overlap, and never touch: adjacent runs are merged, whatever
/// records or elements they came from. Build an image with <see cref="MemoryImageBuilder"/>, a reader, or
/// <see cref="FromBytes"/>. Instances are immutable.
/// </remarks>
public sealed class MemoryImage : IEquatable<MemoryImage>
{
    private const ulong AddressSpaceEnd = 0x1_0000_0000;

    internal MemoryImage(ImmutableArray<MemorySegment> segments)
    {
        Segments = segments;
        long total = 0;
        foreach (MemorySegment segment in segments)
        {
            total += segment.Length;
        }

        DataBytes = total;
    }

    /// <summary>Gets the image with no data.</summary>
    public static MemoryImage Empty { get; } = new([]);

    /// <summary>Gets the contiguous runs of data, sorted by address, non-overlapping and not touching.</summary>
    public ImmutableArray<MemorySegment> Segments { get; }

    /// <summary>Gets the number of bytes that hold data (gaps not counted).</summary>
    public long DataBytes { get; }

    /// <summary>Gets whether the image holds no data.</summary>
    public bool IsEmpty => Segments.IsEmpty;

    /// <summary>Gets the lowest address that holds data, or 0 for an empty image.</summary>
    public uint StartAddress => Segments.IsEmpty ? 0 : Segments[0].Address;

    /// <summary>Gets the address just past the highest byte of data (up to 0x1_0000_0000), or 0 for an empty image.</summary>
    public ulong EndAddress => Segments.IsEmpty ? 0 : Segments[^1].End;

    /// <summary>Gets the number of addresses from <see cref="StartAddress"/> to <see cref="EndAddress"/>, gaps included.</summary>
    public ulong SpanLength => EndAddress - StartAddress;

    /// <summary>Creates an image holding one run of bytes. The bytes are copied.</summary>
    /// <param name="address">The address of the first byte.</param>
    /// <param name="data">The bytes.</param>
    /// <returns>The image; empty when <paramref name="data"/> is empty.</returns>
    /// <exception cref="DfuFormatException">The bytes run past 0xFFFF_FFFF (<see cref="DfuFormatError.AddressOverflow"/>).</exception>
    public static MemoryImage FromBytes(uint address, ReadOnlySpan<byte> data)
    {
        if ((ulong)address + (ulong)data.Length > AddressSpaceEnd)
        {
            throw new DfuFormatException(
                DfuFormatError.AddressOverflow,
                $"{data.Length} bytes at 0x{address:X8} run past the end of the 32-bit address space");
        }

        return data.IsEmpty ? Empty : new MemoryImage([new MemorySegment(address, data.ToArray())]);
    }

    /// <summary>
    /// Creates an image holding one run of bytes without copying them: the image refers to <paramref name="data"/>,
    /// which the caller must not change while the image is in use. A firmware file read into memory becomes an image at
    /// no cost in memory.
    /// </summary>
    /// <param name="address">The address of the first byte.</param>
    /// <param name="data">The bytes, shared with the image.</param>
    /// <returns>The image; empty when <paramref name="data"/> is empty.</returns>
    /// <exception cref="DfuFormatException">The bytes run past 0xFFFF_FFFF (<see cref="DfuFormatError.AddressOverflow"/>).</exception>
    public static MemoryImage FromMemory(uint address, ReadOnlyMemory<byte> data)
    {
        if ((ulong)address + (ulong)data.Length > AddressSpaceEnd)
        {
            throw new DfuFormatException(
                DfuFormatError.AddressOverflow,
                $"{data.Length} bytes at 0x{address:X8} run past the end of the 32-bit address space");
        }

        return data.IsEmpty ? Empty : new MemoryImage([new MemorySegment(address, data)]);
    }

    /// <summary>Combines this image with another; the other image's bytes count as the later writes.</summary>
    /// <param name="other">The image to merge in.</param>
    /// <param name="overlapPolicy">What to do when both give one address different bytes.</param>
    /// <returns>The merged image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">
    /// Under <see cref="MemoryOverlapPolicy.Reject"/>, the images disagree about an address
    /// (<see cref="DfuFormatError.OverlappingData"/>).
    /// </exception>
    public MemoryImage Merge(MemoryImage other, MemoryOverlapPolicy overlapPolicy = MemoryOverlapPolicy.Reject)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.IsEmpty)
        {
            return this;
        }

        if (IsEmpty)
        {
            return other;
        }

        var builder = new MemoryImageBuilder(overlapPolicy);
        builder.Write(this);
        builder.Write(other);
        return builder.ToImage();
    }

    /// <summary>Fills every address in [<paramref name="startAddress"/>, <paramref name="endAddress"/>) that holds no data.</summary>
    /// <param name="startAddress">The first address to fill.</param>
    /// <param name="endAddress">The address just past the last one to fill (at most 0x1_0000_0000).</param>
    /// <param name="value">The byte to put in the gaps (0xFF is erased flash).</param>
    /// <returns>The image with the range fully covered; existing data is kept.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="endAddress"/> is below <paramref name="startAddress"/> or above 0x1_0000_0000, or the filled
    /// segment would be larger than an array can hold.
    /// </exception>
    public MemoryImage Fill(uint startAddress, ulong endAddress, byte value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(endAddress, AddressSpaceEnd);
        ArgumentOutOfRangeException.ThrowIfLessThan(endAddress, (ulong)startAddress);
        if (endAddress == startAddress)
        {
            return this;
        }

        // Segments that overlap or touch the range join it in one new segment; the others are kept as they are.
        int first = FirstSegmentEndingAtOrAfter(startAddress);
        int last = first;
        while (last < Segments.Length && Segments[last].Address <= endAddress)
        {
            last++;
        }

        ulong start = first < last ? Math.Min(startAddress, Segments[first].Address) : startAddress;
        ulong end = first < last ? Math.Max(endAddress, Segments[last - 1].End) : endAddress;
        if (end - start > (ulong)Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(endAddress), endAddress, $"Filling 0x{start:X8}..0x{end:X8} needs more bytes than an array can hold.");
        }

        byte[] buffer = new byte[end - start];
        buffer.AsSpan().Fill(value);
        for (int i = first; i < last; i++)
        {
            Segments[i].Data.Span.CopyTo(buffer.AsSpan((int)(Segments[i].Address - start)));
        }

        var segments = ImmutableArray.CreateBuilder<MemorySegment>(Segments.Length - (last - first) + 1);
        segments.AddRange(Segments, first);
        segments.Add(new MemorySegment((uint)start, buffer));
        for (int i = last; i < Segments.Length; i++)
        {
            segments.Add(Segments[i]);
        }

        return new MemoryImage(segments.MoveToImmutable());
    }

    /// <summary>Gets the part of the image in [<paramref name="startAddress"/>, <paramref name="startAddress"/> + <paramref name="length"/>).</summary>
    /// <param name="startAddress">The first address to keep.</param>
    /// <param name="length">How many addresses to keep.</param>
    /// <returns>The sliced image; it shares memory with this one.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range runs past 0xFFFF_FFFF.</exception>
    public MemoryImage Slice(uint startAddress, ulong length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, AddressSpaceEnd - startAddress);
        ulong end = startAddress + length;
        if (startAddress <= StartAddress && end >= EndAddress)
        {
            return this;
        }

        var segments = ImmutableArray.CreateBuilder<MemorySegment>();
        for (int i = FirstSegmentEndingAtOrAfter(startAddress); i < Segments.Length && Segments[i].Address < end; i++)
        {
            MemorySegment segment = Segments[i];
            ulong from = Math.Max(segment.Address, startAddress);
            ulong to = Math.Min(segment.End, end);
            if (to > from)
            {
                segments.Add(new MemorySegment(
                    (uint)from, segment.Data.Slice((int)(from - segment.Address), (int)(to - from))));
            }
        }

        return new MemoryImage(segments.DrainToImmutable());
    }

    /// <summary>
    /// Copies the data in [<paramref name="startAddress"/>, <paramref name="startAddress"/> + destination length) into
    /// <paramref name="destination"/>; bytes of the destination for addresses without data are left as they are.
    /// </summary>
    /// <param name="startAddress">The address of the destination's first byte.</param>
    /// <param name="destination">Where to copy.</param>
    public void CopyTo(uint startAddress, Span<byte> destination)
    {
        ulong end = startAddress + (ulong)destination.Length;
        for (int i = FirstSegmentEndingAtOrAfter(startAddress); i < Segments.Length && Segments[i].Address < end; i++)
        {
            MemorySegment segment = Segments[i];
            ulong from = Math.Max(segment.Address, startAddress);
            ulong to = Math.Min(segment.End, end);
            if (to > from)
            {
                segment.Data.Span.Slice((int)(from - segment.Address), (int)(to - from))
                    .CopyTo(destination[(int)(from - startAddress)..]);
            }
        }
    }

    /// <summary>Gets the bytes from <see cref="StartAddress"/> to <see cref="EndAddress"/> with the gaps filled.</summary>
    /// <param name="fill">The byte to put in the gaps (0xFF is erased flash).</param>
    /// <returns>A new array of <see cref="SpanLength"/> bytes.</returns>
    /// <exception cref="DfuFormatException">The span is larger than an array can hold (<see cref="DfuFormatError.TooLarge"/>).</exception>
    public byte[] ToArray(byte fill = 0xFF)
    {
        if (SpanLength > (ulong)Array.MaxLength)
        {
            throw new DfuFormatException(
                DfuFormatError.TooLarge,
                $"The data spans 0x{StartAddress:X8}..0x{EndAddress - 1:X8}, {SpanLength} bytes, more than one array can hold");
        }

        byte[] result = new byte[SpanLength];
        if (Segments.Length > 1)
        {
            result.AsSpan().Fill(fill);
        }

        CopyTo(StartAddress, result);
        return result;
    }

    /// <summary>Gets the byte at an address.</summary>
    /// <param name="address">The address.</param>
    /// <param name="value">The byte, or 0 when the address holds no data.</param>
    /// <returns><see langword="true"/> when the address holds data.</returns>
    public bool TryGetByte(uint address, out byte value)
    {
        int i = FirstSegmentEndingAtOrAfter(address);
        if (i < Segments.Length && Segments[i].Contains(address))
        {
            value = Segments[i].Data.Span[(int)(address - Segments[i].Address)];
            return true;
        }

        value = 0;
        return false;
    }

    /// <inheritdoc/>
    public bool Equals(MemoryImage? other)
        => other is not null && (ReferenceEquals(this, other) || Segments.AsSpan().SequenceEqual(other.Segments.AsSpan()));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as MemoryImage);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Segments.Length, DataBytes, StartAddress);

    /// <inheritdoc/>
    public override string ToString() => IsEmpty
        ? "empty memory image"
        : $"{Segments.Length} segment(s), {DataBytes} bytes, 0x{StartAddress:X8}..0x{EndAddress - 1:X8}";

    /// <summary>The index of the first segment whose end is above <paramref name="address"/> (or that touches it).</summary>
    private int FirstSegmentEndingAtOrAfter(uint address)
    {
        int low = 0;
        int high = Segments.Length;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (Segments[mid].End < address)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
