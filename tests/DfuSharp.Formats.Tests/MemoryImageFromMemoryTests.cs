using System.Runtime.InteropServices;

namespace DfuSharp.Formats.Tests;

public sealed class MemoryImageFromMemoryTests
{
    [Fact]
    public void FromMemory_Bytes_SharesThemWithoutACopy()
    {
        byte[] data = [1, 2, 3, 4];

        MemoryImage image = MemoryImage.FromMemory(0x0800_0000, data);

        MemoryMarshal.TryGetArray(image.Segments[0].Data, out ArraySegment<byte> shared).Should().BeTrue();
        shared.Array.Should().BeSameAs(data);
        image.Should().Be(MemoryImage.FromBytes(0x0800_0000, data));
    }

    [Fact]
    public void FromMemory_Empty_IsTheEmptyImage()
        => MemoryImage.FromMemory(0x0800_0000, ReadOnlyMemory<byte>.Empty).Should().BeSameAs(MemoryImage.Empty);

    [Fact]
    public void FromMemory_PastTheAddressSpace_ThrowsAddressOverflow()
    {
        var create = () => MemoryImage.FromMemory(0xFFFF_FFFE, new byte[3]);

        create.Should().Throw<DfuFormatException>().Which.Error.Should().Be(DfuFormatError.AddressOverflow);
    }

    [Fact]
    public void FromMemory_EndingAtTheTopOfTheAddressSpace_Fits()
        => MemoryImage.FromMemory(0xFFFF_FFFE, new byte[2]).EndAddress.Should().Be(0x1_0000_0000UL);

    [Fact]
    public void Category_FormatException_IsData()
        => new DfuFormatException(DfuFormatError.CrcMismatch, "bad", 4).Category.Should().Be(DfuErrorCategory.Data);
}
