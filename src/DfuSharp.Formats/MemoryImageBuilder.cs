using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace DfuSharp.Formats;

/// <summary>
/// Collects writes of bytes at addresses, in any order, and produces a <see cref="MemoryImage"/> whose segments are
/// sorted, non-overlapping and merged where they touch.
/// </summary>
/// <remarks>
/// Consecutive writes that continue the previous one (the common case in a HEX or S-record file) are appended to one
/// buffer; everything else is sorted once when <see cref="ToImage"/> runs, so building costs O(n log n) in the number
/// of discontinuities and O(n) in the number of bytes.
/// </remarks>
public sealed class MemoryImageBuilder
{
    private const ulong AddressSpaceEnd = 0x1_0000_0000;

    private readonly List<Run> _runs = [];
    private Run? _last;

    // Where the two conflicting pieces of data start, for the message of the last conflict found.
    private (uint Earlier, uint Later) _conflictStarts;

    /// <summary>Initializes a new, empty builder.</summary>
    /// <param name="overlapPolicy">What to do when two writes give one address different bytes.</param>
    public MemoryImageBuilder(MemoryOverlapPolicy overlapPolicy = MemoryOverlapPolicy.Reject)
    {
        if (overlapPolicy is not (MemoryOverlapPolicy.Reject or MemoryOverlapPolicy.LaterWins))
        {
            throw new ArgumentOutOfRangeException(nameof(overlapPolicy), overlapPolicy, "Unknown overlap policy.");
        }

        OverlapPolicy = overlapPolicy;
    }

    /// <summary>Gets what the builder does when two writes give one address different bytes.</summary>
    public MemoryOverlapPolicy OverlapPolicy { get; }

    /// <summary>Records bytes to place at an address. The bytes are copied.</summary>
    /// <param name="address">The address of the first byte.</param>
    /// <param name="data">The bytes; an empty span is ignored.</param>
    /// <exception cref="DfuFormatException">The bytes run past 0xFFFF_FFFF (<see cref="DfuFormatError.AddressOverflow"/>).</exception>
    public void Write(uint address, ReadOnlySpan<byte> data)
    {
        if ((ulong)address + (ulong)data.Length > AddressSpaceEnd)
        {
            throw new DfuFormatException(
                DfuFormatError.AddressOverflow,
                $"{data.Length} bytes at 0x{address:X8} run past the end of the 32-bit address space");
        }

        Append(address, data);
    }

    /// <summary>Records every segment of an image, as writes in address order.</summary>
    /// <param name="image">The image to add.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    public void Write(MemoryImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        foreach (MemorySegment segment in image.Segments)
        {
            Append(segment.Address, segment.Data.Span);
        }
    }

    /// <summary>Builds the image from everything written so far. The builder stays usable.</summary>
    /// <returns>The merged image.</returns>
    /// <exception cref="DfuFormatException">
    /// Under <see cref="MemoryOverlapPolicy.Reject"/>, one address was given two different bytes
    /// (<see cref="DfuFormatError.OverlappingData"/>); or one contiguous run is larger than an array can hold
    /// (<see cref="DfuFormatError.TooLarge"/>).
    /// </exception>
    public MemoryImage ToImage()
    {
        if (TryToImage(out MemoryImage? image, out uint address, out byte earlier, out byte later))
        {
            return image;
        }

        // Both pieces of data are named, so a DfuSe file with overlapping elements says which two elements disagree.
        throw new DfuFormatException(
            DfuFormatError.OverlappingData,
            $"Overlapping data with different bytes at 0x{address:X8}: 0x{earlier:X2} from the data at 0x{_conflictStarts.Earlier:X8}, " +
            $"then 0x{later:X2} from the data at 0x{_conflictStarts.Later:X8}");
    }

    /// <summary>Builds the image, or finds the lowest address given different bytes (under <see cref="MemoryOverlapPolicy.Reject"/>).</summary>
    internal bool TryToImage([NotNullWhen(true)] out MemoryImage? image, out uint conflictAddress, out byte earlier, out byte later)
    {
        image = null;
        conflictAddress = 0;
        earlier = 0;
        later = 0;
        if (_runs.Count == 0)
        {
            image = MemoryImage.Empty;
            return true;
        }

        var order = new Run[_runs.Count];
        _runs.CopyTo(order);
        Array.Sort(order, static (a, b) => a.Address != b.Address
            ? a.Address.CompareTo(b.Address)
            : a.Sequence.CompareTo(b.Sequence));

        var segments = ImmutableArray.CreateBuilder<MemorySegment>();
        int first = 0;
        while (first < order.Length)
        {
            ulong groupEnd = order[first].End;
            bool overlaps = false;
            int next = first + 1;
            while (next < order.Length && order[next].Address <= groupEnd)
            {
                overlaps |= order[next].Address < groupEnd;
                groupEnd = Math.Max(groupEnd, order[next].End);
                next++;
            }

            if (!TryMergeGroup(order.AsSpan(first, next - first), groupEnd, overlaps, out MemorySegment segment, out conflictAddress, out earlier, out later))
            {
                return false;
            }

            segments.Add(segment);
            first = next;
        }

        image = new MemoryImage(segments.DrainToImmutable());
        return true;
    }

    private void Append(uint address, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_last is { } last && last.End == address && (long)last.Length + data.Length <= Array.MaxLength)
        {
            last.Append(data);
            return;
        }

        _last = new Run(address, data.ToArray(), _runs.Count);
        _runs.Add(_last);
    }

    private bool TryMergeGroup(
        ReadOnlySpan<Run> group, ulong groupEnd, bool overlaps, out MemorySegment segment, out uint conflictAddress, out byte earlier, out byte later)
    {
        uint start = group[0].Address;
        conflictAddress = 0;
        earlier = 0;
        later = 0;
        if (group.Length == 1)
        {
            segment = new MemorySegment(start, group[0].Memory);
            return true;
        }

        ulong length = groupEnd - start;
        if (length > (ulong)Array.MaxLength)
        {
            throw new DfuFormatException(
                DfuFormatError.TooLarge,
                $"The contiguous data at 0x{start:X8} is {length} bytes long, more than one buffer can hold");
        }

        byte[] buffer = new byte[length];
        segment = new MemorySegment(start, buffer);
        if (overlaps && OverlapPolicy == MemoryOverlapPolicy.LaterWins)
        {
            Run[] bySequence = group.ToArray();
            Array.Sort(bySequence, static (a, b) => a.Sequence.CompareTo(b.Sequence));
            foreach (Run run in bySequence)
            {
                run.Span.CopyTo(buffer.AsSpan((int)(run.Address - start)));
            }

            return true;
        }

        // Runs are in address order, so [start, covered) is always fully written: only that prefix can overlap.
        ulong covered = start;
        foreach (Run run in group)
        {
            ReadOnlySpan<byte> data = run.Span;
            int offset = (int)(run.Address - start);
            int overlap = (int)Math.Min((ulong)data.Length, covered > run.Address ? covered - run.Address : 0);
            if (overlap > 0)
            {
                int same = data[..overlap].CommonPrefixLength(buffer.AsSpan(offset, overlap));
                if (same < overlap)
                {
                    conflictAddress = run.Address + (uint)same;
                    uint at = conflictAddress;
                    Run first = group.ToArray().First(r => r.Address <= at && at < r.End);
                    _conflictStarts = (first.Address, run.Address);
                    earlier = buffer[offset + same];
                    later = data[same];
                    return false;
                }
            }

            data[overlap..].CopyTo(buffer.AsSpan(offset + overlap));
            covered = Math.Max(covered, run.End);
        }

        return true;
    }

    private sealed class Run(uint address, byte[] buffer, int sequence)
    {
        private byte[] _buffer = buffer;

        public uint Address { get; } = address;

        public int Length { get; private set; } = buffer.Length;

        public int Sequence { get; } = sequence;

        public ulong End => (ulong)Address + (ulong)Length;

        public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

        // Bytes below Length are never modified once written, so handing out a view of them is safe while the run grows.
        public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

        public void Append(ReadOnlySpan<byte> data)
        {
            int needed = Length + data.Length;
            if (needed > _buffer.Length)
            {
                int capacity = (int)Math.Min(Array.MaxLength, Math.Max((long)needed, Math.Max(256L, 2L * _buffer.Length)));
                Array.Resize(ref _buffer, capacity);
            }

            data.CopyTo(_buffer.AsSpan(Length));
            Length = needed;
        }
    }
}
