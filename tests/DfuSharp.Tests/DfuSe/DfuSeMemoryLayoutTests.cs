using DfuSharp.DfuSe;

namespace DfuSharp.Tests.DfuSe;

public class DfuSeMemoryLayoutTests
{
    private const string F4Flash = "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg";
    private const DfuSeSectorAccess All = DfuSeSectorAccess.Readable | DfuSeSectorAccess.Erasable | DfuSeSectorAccess.Writable;

    [Fact]
    public void Parse_Stm32F4Flash_NameRegionAndGroups()
    {
        DfuSeMemoryLayout layout = DfuSeMemoryLayout.Parse(F4Flash);
        layout.Name.Should().Be("Internal Flash");
        layout.Regions.Should().ContainSingle();
        layout.Regions[0].Address.Should().Be(0x0800_0000u);
        layout.Regions[0].Groups.Should().Equal(
            new DfuSeSectorGroup(4, 16 * 1024, All),
            new DfuSeSectorGroup(1, 64 * 1024, All),
            new DfuSeSectorGroup(7, 128 * 1024, All));
        layout.Regions[0].Length.Should().Be(1024 * 1024);
        layout.Sectors.Should().HaveCount(12);
    }

    [Fact]
    public void Parse_OptionBytesWithSpaceBeforeType_ReadableWritable()
    {
        DfuSeMemoryLayout layout = DfuSeMemoryLayout.Parse("@Option Bytes  /0x1FFFC000/01*016 e");
        layout.Regions[0].Groups.Should().Equal(new DfuSeSectorGroup(1, 16, DfuSeSectorAccess.Readable | DfuSeSectorAccess.Writable));
    }

    [Fact]
    public void Parse_SeveralRegions_AllParsedInOrder()
    {
        DfuSeMemoryLayout layout = DfuSeMemoryLayout.Parse("@Flash/0x08000000/12*001Ka,116*001Kg/0x20000000/01*001Mg/");
        layout.Regions.Select(r => r.Address).Should().Equal(0x0800_0000u, 0x2000_0000u);
        layout.Regions[0].Groups[0].Access.Should().Be(DfuSeSectorAccess.Readable);
        layout.Regions[1].Groups.Should().Equal(new DfuSeSectorGroup(1, 1024 * 1024, All));
    }

    [Fact]
    public void Parse_OtpWithTwoUnitlessGroups_SizesInBytes()
        => DfuSeMemoryLayout.Parse("@OTP Memory /0x1FFF7800/01*512 e,01*016 e").Regions[0].Groups.Select(g => g.Size)
            .Should().Equal(512u, 16u);

    [Fact]
    public void Parse_RegionEndingAtTopOfAddressSpace_Accepted()
        => DfuSeMemoryLayout.Parse("@Device Feature/0xFFFF0000/01*064Ke").Regions[0].End.Should().Be(0x1_0000_0000UL);

    [Theory]
    [InlineData('a', DfuSeSectorAccess.Readable)]
    [InlineData('b', DfuSeSectorAccess.Erasable)]
    [InlineData('c', DfuSeSectorAccess.Readable | DfuSeSectorAccess.Erasable)]
    [InlineData('d', DfuSeSectorAccess.Writable)]
    [InlineData('e', DfuSeSectorAccess.Readable | DfuSeSectorAccess.Writable)]
    [InlineData('f', DfuSeSectorAccess.Erasable | DfuSeSectorAccess.Writable)]
    [InlineData('g', All)]
    public void Parse_TypeLetter_MapsToAccessBits(char letter, DfuSeSectorAccess access)
        => DfuSeMemoryLayout.Parse($"@M/0x00000000/01*512B{letter}").Regions[0].Groups[0].Access.Should().Be(access);

    [Theory]
    [InlineData("")]
    [InlineData("Internal Flash/0x08000000/04*016Kg")]
    [InlineData("@Internal Flash")]
    [InlineData("@Internal Flash/0x08000000")]
    [InlineData("@Internal Flash/08000000/04*016Kg")]
    [InlineData("@Internal Flash/0xZZ/04*016Kg")]
    [InlineData("@Internal Flash/0x08000000/04*016Kh")]
    [InlineData("@Internal Flash/0x08000000/04*016K")]
    [InlineData("@Internal Flash/0x08000000/*016Kg")]
    [InlineData("@Internal Flash/0x08000000/04016Kg")]
    [InlineData("@Internal Flash/0x08000000/00*016Kg")]
    [InlineData("@Internal Flash/0x08000000/04*000Kg")]
    [InlineData("@Internal Flash/0x08000000/04*016Xg")]
    [InlineData("@Internal Flash/0x08000000/04*016Kg,")]
    [InlineData("@Internal Flash/0xFFFF0000/02*064Kg")]
    [InlineData("@Internal Flash/0x08000000/9999999*016Kg")]
    public void Parse_Malformed_ThrowsFormatException(string text)
        => FluentActions.Invoking(() => DfuSeMemoryLayout.Parse(text)).Should().Throw<FormatException>();

    [Fact]
    public void Parse_BadGroup_MessageNamesColumn()
        => FluentActions.Invoking(() => DfuSeMemoryLayout.Parse("@F/0x08000000/04*016Kg,01*064Kz"))
            .Should().Throw<FormatException>().WithMessage("*\"01*064Kz\" at column 24*");

    [Fact]
    public void TryParse_PlainDfuName_False()
        => DfuSeMemoryLayout.TryParse("Flash", out _).Should().BeFalse();

    [Theory]
    [InlineData(0x0800_0000u, 0x0800_0000u, 16 * 1024)]
    [InlineData(0x0800_3FFFu, 0x0800_0000u, 16 * 1024)]
    [InlineData(0x0801_0000u, 0x0801_0000u, 64 * 1024)]
    [InlineData(0x080F_FFFFu, 0x080E_0000u, 128 * 1024)]
    public void FindSector_AddressInFlash_ReturnsContainingSector(uint address, uint start, int size)
        => DfuSeMemoryLayout.Parse(F4Flash).FindSector(address).Should().Be(new DfuSeSector(start, (uint)size, All));

    [Theory]
    [InlineData(0x07FF_FFFFu)]
    [InlineData(0x0810_0000u)]
    public void FindSector_OutsideFlash_Null(uint address)
        => DfuSeMemoryLayout.Parse(F4Flash).FindSector(address).Should().BeNull();

    [Fact]
    public void GetSectors_RangeAcrossSizes_EachSectorOnce()
        => DfuSeMemoryLayout.Parse(F4Flash).GetSectors(0x0800_3000, 0x1_E000).Select(s => s.Address)
            .Should().Equal(0x0800_0000u, 0x0800_4000u, 0x0800_8000u, 0x0800_C000u, 0x0801_0000u, 0x0802_0000u);

    [Fact]
    public void GetSectors_PastEnd_ThrowsNamingAddress()
        => FluentActions.Invoking(() => DfuSeMemoryLayout.Parse(F4Flash).GetSectors(0x080F_0000, 0x2_0000))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*0x08100000*");

    [Fact]
    public void ToString_Parsed_RoundTrips()
    {
        DfuSeMemoryLayout layout = DfuSeMemoryLayout.Parse(F4Flash);
        DfuSeMemoryLayout.Parse(layout.ToString()).Should().Be(layout);
    }
}
