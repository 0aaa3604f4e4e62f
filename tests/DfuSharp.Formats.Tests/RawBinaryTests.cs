using System.Buffers;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class RawBinaryTests
{
    [Fact]
    public void Read_AtBaseAddress_GivesOneSegmentThere()
    {
        MemoryImage image = RawBinary.Read([1, 2, 3], 0x0800_0000);

        image.Segments.Should().Equal(new MemorySegment(0x0800_0000, new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public void Read_Empty_GivesEmptyImage()
    {
        RawBinary.Read([], 0x1234).Should().Be(MemoryImage.Empty);
    }

    [Fact]
    public void Read_EndingExactlyAtFourGiB_IsAccepted()
    {
        RawBinary.Read(new byte[16], 0xFFFF_FFF0).EndAddress.Should().Be(0x1_0000_0000);
    }

    [Fact]
    public void Read_PastFourGiB_ThrowsAddressOverflow()
    {
        Action read = () => RawBinary.Read(new byte[17], 0xFFFF_FFF0);

        read.Should().Throw<DfuFormatException>().Which.Error.Should().Be(DfuFormatError.AddressOverflow);
    }

    [Fact]
    public void Read_Stream_GivesTheSameImageAsSpan()
    {
        RawBinary.Read(new MemoryStream([5, 6, 7]), 0x20).Should().Be(RawBinary.Read([5, 6, 7], 0x20));
    }

    [Fact]
    public void Write_Gaps_AreFilledFromTheFirstAddress()
    {
        MemoryImage image = MemoryImage.FromBytes(0x100, [1, 2]).Merge(MemoryImage.FromBytes(0x105, [3]));
        var output = new ArrayBufferWriter<byte>();

        RawBinary.Write(image, output, fill: 0xEE);

        output.WrittenSpan.ToArray().Should().Equal(1, 2, 0xEE, 0xEE, 0xEE, 3);
    }

    [Fact]
    public void Write_LargeGap_FillsWithErasedFlashByDefault()
    {
        MemoryImage image = MemoryImage.FromBytes(0, [1]).Merge(MemoryImage.FromBytes(100_000, [2]));
        var output = new ArrayBufferWriter<byte>();

        RawBinary.Write(image, output);

        output.WrittenCount.Should().Be(100_001);
        output.WrittenSpan[1..^1].IndexOfAnyExcept((byte)0xFF).Should().Be(-1);
        output.WrittenSpan[^1].Should().Be(2);
    }

    [Fact]
    public void Write_EmptyImage_WritesNothing()
    {
        var output = new ArrayBufferWriter<byte>();

        RawBinary.Write(MemoryImage.Empty, output);

        output.WrittenCount.Should().Be(0);
    }

    [Fact]
    public void Write_FlashAndRamAddresses_ThrowsTooLargeWithoutWriting()
    {
        // A HEX file with data for flash (0x0800_0000) and RAM (0x2000_0000) would make a 384 MiB binary.
        MemoryImage image = MemoryImage.FromBytes(0x0800_0000, [1]).Merge(MemoryImage.FromBytes(0x2000_0000, [2]));
        var output = new ArrayBufferWriter<byte>();

        Action write = () => RawBinary.Write(image, output);

        write.Should().Throw<DfuFormatException>().Where(e => e.Error == DfuFormatError.TooLarge).WithMessage("*0x08000000*0x20000000*");
        output.WrittenCount.Should().Be(0);
    }

    [Fact]
    public void Write_SpanAtMaxLength_IsAllowed()
    {
        MemoryImage image = MemoryImage.FromBytes(0, [1]).Merge(MemoryImage.FromBytes(9, [2]));
        var output = new ArrayBufferWriter<byte>();

        RawBinary.Write(image, output, maxLength: 10);
        Action tooSmall = () => RawBinary.Write(image, new ArrayBufferWriter<byte>(), maxLength: 9);

        output.WrittenCount.Should().Be(10);
        tooSmall.Should().Throw<DfuFormatException>().Which.Error.Should().Be(DfuFormatError.TooLarge);
    }
}
