using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>Seeded random sparse images for property and peer tests.</summary>
internal static class MemoryImageRandom
{
    /// <summary>
    /// A few runs of random bytes with random gaps (some shorter than a record, some across 64 KiB boundaries), all in
    /// [<paramref name="lowest"/>, <paramref name="limit"/>).
    /// </summary>
    public static IReadOnlyList<MemorySegment> Segments(Random random, uint lowest, ulong limit, int maxSegments = 5, int maxLength = 4000)
    {
        var segments = new List<MemorySegment>();
        ulong address = lowest + (ulong)random.Next(0, 64);
        int count = random.Next(1, maxSegments + 1);
        int maxGap = (int)Math.Min(70_000, (limit - lowest) / (ulong)(2 * count));
        for (int i = 0; i < count; i++)
        {
            int length = random.Next(1, maxLength + 1);
            if (address + (ulong)length > limit)
            {
                break;
            }

            byte[] data = new byte[length];
            random.NextBytes(data);
            segments.Add(new MemorySegment((uint)address, data));
            address += (ulong)length + (ulong)random.Next(1, Math.Max(2, maxGap));
        }

        return segments;
    }

    /// <summary>The image of non-overlapping segments.</summary>
    public static MemoryImage Image(IEnumerable<MemorySegment> segments)
    {
        var builder = new MemoryImageBuilder();
        foreach (MemorySegment segment in segments)
        {
            builder.Write(segment.Address, segment.Data.Span);
        }

        return builder.ToImage();
    }
}
