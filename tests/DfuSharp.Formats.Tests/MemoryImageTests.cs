using System.Runtime.InteropServices;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class MemoryImageTests
{
    [Fact]
    public void Empty_HasNoDataAndZeroBounds()
    {
        MemoryImage image = MemoryImage.Empty;

        image.IsEmpty.Should().BeTrue();
        image.StartAddress.Should().Be(0);
        image.EndAddress.Should().Be(0);
        image.DataBytes.Should().Be(0);
        image.ToArray().Should().BeEmpty();
        new MemoryImageBuilder().ToImage().Should().Be(MemoryImage.Empty);
    }

    [Fact]
    public void FromBytes_LastByteOfAddressSpace_EndsAtFourGiB()
    {
        MemoryImage image = MemoryImage.FromBytes(0xFFFF_FFFF, [0x42]);

        image.Segments.Should().ContainSingle().Which.End.Should().Be(0x1_0000_0000);
        image.EndAddress.Should().Be(0x1_0000_0000);
        image.TryGetByte(0xFFFF_FFFF, out byte value).Should().BeTrue();
        value.Should().Be(0x42);
    }

    [Fact]
    public void FromBytes_PastAddressSpace_ThrowsAddressOverflow()
    {
        Action create = () => MemoryImage.FromBytes(0xFFFF_FFFF, [1, 2]);

        create.Should().Throw<DfuFormatException>().Which.Error.Should().Be(DfuFormatError.AddressOverflow);
    }

    [Fact]
    public void ToImage_AdjacentWritesInReverseOrderUpToTopOfSpace_MergeIntoOneSegment()
    {
        var builder = new MemoryImageBuilder();
        builder.Write(0xFFFF_FF00, Enumerable.Repeat((byte)2, 0x100).ToArray());
        builder.Write(0xFFFF_FE00, Enumerable.Repeat((byte)1, 0x100).ToArray());

        MemoryImage image = builder.ToImage();

        MemorySegment segment = image.Segments.Should().ContainSingle().Which;
        segment.Address.Should().Be(0xFFFF_FE00);
        segment.Length.Should().Be(0x200);
        segment.End.Should().Be(0x1_0000_0000);
    }

    [Fact]
    public void ToImage_IdenticalOverlap_IsAccepted()
    {
        var builder = new MemoryImageBuilder();
        builder.Write(0x100, [1, 2, 3, 4]);
        builder.Write(0x102, [3, 4, 5]);

        builder.ToImage().Segments.Should().Equal(new MemorySegment(0x100, new byte[] { 1, 2, 3, 4, 5 }));
    }

    [Fact]
    public void ToImage_ConflictingOverlap_ThrowsWithAddressAndBothBytes()
    {
        var builder = new MemoryImageBuilder();
        builder.Write(0x0800_0000, [1, 2, 3, 4]);
        builder.Write(0x0800_0002, [3, 9]);

        Action build = () => builder.ToImage();

        DfuFormatException error = build.Should().Throw<DfuFormatException>().Which;
        error.Error.Should().Be(DfuFormatError.OverlappingData);
        error.Message.Should().Contain("0x08000003").And.Contain("0x04").And.Contain("0x09");
    }

    [Fact]
    public void ToImage_LaterWins_TakesTheLastWrite()
    {
        var builder = new MemoryImageBuilder(MemoryOverlapPolicy.LaterWins);
        builder.Write(0x10, [1, 1, 1, 1]);
        builder.Write(0x11, [2, 2]);
        builder.Write(0x0F, [3, 3]);

        builder.ToImage().Segments.Should().Equal(new MemorySegment(0x0F, new byte[] { 3, 3, 2, 2, 1 }));
    }

    [Fact]
    public void ToImage_CalledTwiceWithMoreWritesBetween_FirstImageUnchanged()
    {
        var builder = new MemoryImageBuilder();
        builder.Write(0x100, [1, 2]);
        MemoryImage first = builder.ToImage();
        builder.Write(0x102, [3, 4]);

        MemoryImage second = builder.ToImage();

        first.Segments.Should().Equal(new MemorySegment(0x100, new byte[] { 1, 2 }));
        second.Segments.Should().Equal(new MemorySegment(0x100, new byte[] { 1, 2, 3, 4 }));
    }

    [Fact]
    public void Merge_Conflict_ThrowsUnlessLaterWins()
    {
        MemoryImage a = MemoryImage.FromBytes(0x100, [1, 2]);
        MemoryImage b = MemoryImage.FromBytes(0x101, [7, 3]);

        Action merge = () => a.Merge(b);

        merge.Should().Throw<DfuFormatException>().Which.Error.Should().Be(DfuFormatError.OverlappingData);
        a.Merge(b, MemoryOverlapPolicy.LaterWins).Should().Be(MemoryImage.FromBytes(0x100, [1, 7, 3]));
    }

    [Fact]
    public void Fill_GapBetweenSegments_JoinsThem()
    {
        MemoryImage image = MemoryImage.FromBytes(0x100, [1]).Merge(MemoryImage.FromBytes(0x104, [2]));

        MemoryImage filled = image.Fill(0x101, 0x104, 0xFF);

        filled.Should().Be(MemoryImage.FromBytes(0x100, [1, 0xFF, 0xFF, 0xFF, 2]));
    }

    [Fact]
    public void Fill_ToTopOfAddressSpace_Works()
    {
        MemoryImage.Empty.Fill(0xFFFF_FFFE, 0x1_0000_0000, 0xAA)
            .Should().Be(MemoryImage.FromBytes(0xFFFF_FFFE, [0xAA, 0xAA]));
    }

    [Theory]
    [InlineData(0x10u, 0x0FUL)]
    [InlineData(0x10u, 0x1_0000_0001UL)]
    public void Fill_BadRange_ThrowsArgumentOutOfRange(uint start, ulong end)
    {
        Action fill = () => MemoryImage.Empty.Fill(start, end, 0);

        fill.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Fill_RangeLargerThanAnArray_ThrowsArgumentOutOfRangeWithoutAllocating()
    {
        Action fill = () => MemoryImage.Empty.Fill(0, 0x1_0000_0000, 0);

        fill.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Slice_PastAddressSpace_ThrowsArgumentOutOfRange()
    {
        Action slice = () => MemoryImage.Empty.Slice(0xFFFF_FFFF, 2);

        slice.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Slice_InsideSegment_SharesMemoryWithTheImage()
    {
        MemoryImage image = MemoryImage.FromBytes(0x100, [1, 2, 3, 4, 5]);

        MemoryImage slice = image.Slice(0x101, 3);

        slice.Should().Be(MemoryImage.FromBytes(0x101, [2, 3, 4]));
        MemoryMarshal.TryGetArray(image.Segments[0].Data, out ArraySegment<byte> whole).Should().BeTrue();
        MemoryMarshal.TryGetArray(slice.Segments[0].Data, out ArraySegment<byte> part).Should().BeTrue();
        part.Array.Should().BeSameAs(whole.Array);
        part.Offset.Should().Be(whole.Offset + 1);
    }

    [Fact]
    public void ToArray_SpanLargerThanAnArray_ThrowsTooLarge()
    {
        MemoryImage image = MemoryImage.FromBytes(0, [1]).Merge(MemoryImage.FromBytes(0xFFFF_FFFF, [2]));

        Action flatten = () => image.ToArray();

        flatten.Should().Throw<DfuFormatException>().Which.Error.Should().Be(DfuFormatError.TooLarge);
    }

    [Fact]
    public void CopyTo_WindowOverGap_LeavesDestinationBytesWithoutData()
    {
        MemoryImage image = MemoryImage.FromBytes(0x100, [1, 2]).Merge(MemoryImage.FromBytes(0x104, [5]));
        byte[] window = [9, 9, 9, 9, 9, 9];

        image.CopyTo(0x0FF, window);

        window.Should().Equal(9, 1, 2, 9, 9, 5);
    }

    [Fact]
    public void Equals_SameDataInDifferentBuffers_IsEqualWithEqualHashCodes()
    {
        MemoryImage a = MemoryImage.FromBytes(0x10, [1, 2, 3]);
        MemoryImage b = MemoryImage.FromBytes(0x10, [1, 2]).Merge(MemoryImage.FromBytes(0x12, [3]));

        a.Should().Be(b);
        a.GetHashCode().Should().Be(b.GetHashCode());
        a.Should().NotBe(MemoryImage.FromBytes(0x11, [1, 2, 3]));
        a.Should().NotBe(MemoryImage.FromBytes(0x10, [1, 2, 4]));
    }
}
