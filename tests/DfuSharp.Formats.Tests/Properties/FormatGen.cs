using CsCheck;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests.Properties;

/// <summary>CsCheck generators of memory images and firmware files; every one shrinks towards fewer, shorter writes.</summary>
internal static class FormatGen
{
    private const ulong AddressSpaceEnd = 0x1_0000_0000;

    /// <summary>Windows of the address space where writes collide often, including the very top.</summary>
    private static readonly Gen<uint> s_base = Gen.OneOf(0u, 0x0800_0000u, 0x0800_FF00u, 0xFFFF_FD00u);

    /// <summary>One write: an address in a window and up to 48 bytes, cut at the end of the address space.</summary>
    public static readonly Gen<(uint Address, byte[] Data)> Write =
        Gen.Select(s_base, Gen.UInt[0, 0x2FF], Gen.Byte.Array[0, 48], (b, offset, data) => Fit(b + offset, data));

    /// <summary>Images of up to six later-wins writes spread over the windows (sparse, possibly 4 GiB wide).</summary>
    public static readonly Gen<MemoryImage> Image = Write.Array[0, 6].Select(Build);

    /// <summary>Images whose writes all lie in one window, so their span stays small (for raw binary).</summary>
    public static readonly Gen<MemoryImage> LocalImage = Gen.Select(
        s_base,
        Gen.Select(Gen.UInt[0, 0x2FF], Gen.Byte.Array[0, 48]).Array[0, 6],
        (b, writes) => Build([.. writes.Select(w => Fit(b + w.Item1, w.Item2))]));

    /// <summary>A range [Start, End) inside or around the windows, at most 0x400 addresses long.</summary>
    public static readonly Gen<(uint Start, ulong End)> Range =
        Gen.Select(s_base, Gen.UInt[0, 0x2FF], Gen.UInt[0, 0x400], (b, offset, length) =>
        {
            uint start = b + offset;
            return (start, Math.Min((ulong)start + length, AddressSpaceEnd));
        });

    /// <summary>The image as a map from address to byte.</summary>
    public static Dictionary<uint, byte> Model(MemoryImage image)
    {
        var model = new Dictionary<uint, byte>();
        foreach (MemorySegment segment in image.Segments)
        {
            ReadOnlySpan<byte> data = segment.Data.Span;
            for (int i = 0; i < data.Length; i++)
            {
                model[segment.Address + (uint)i] = data[i];
            }
        }

        return model;
    }

    /// <summary>Checks that segments are sorted, non-empty, and neither overlap nor touch.</summary>
    public static void ShouldBeNormalized(MemoryImage image)
    {
        for (int i = 0; i < image.Segments.Length; i++)
        {
            image.Segments[i].Length.Should().BePositive();
            if (i > 0)
            {
                ((ulong)image.Segments[i].Address).Should().BeGreaterThan(image.Segments[i - 1].End);
            }
        }

        image.DataBytes.Should().Be(image.Segments.Sum(s => (long)s.Length));
    }

    private static (uint Address, byte[] Data) Fit(uint address, byte[] data)
        => (ulong)address + (ulong)data.Length > AddressSpaceEnd ? (address, data[..(int)(AddressSpaceEnd - address)]) : (address, data);

    private static MemoryImage Build((uint Address, byte[] Data)[] writes)
    {
        var builder = new MemoryImageBuilder(MemoryOverlapPolicy.LaterWins);
        foreach ((uint address, byte[] data) in writes)
        {
            builder.Write(address, data);
        }

        return builder.ToImage();
    }
}
