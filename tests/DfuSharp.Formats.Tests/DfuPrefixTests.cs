using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class DfuPrefixTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(512, 1)]
    [InlineData(513, 2)]
    [InlineData(4096, 8)]
    [InlineData(4097, 9)]
    public void CreateLpc_Length_BlocksRoundedUpAsDfuPrefixWrites(int length, ushort blocks)
    {
        DfuPrefix prefix = DfuPrefixes.CreateLpc(length);
        prefix.Type.Should().Be(DfuPrefixType.Lpc);
        prefix.Bytes.ToArray().Should().Equal(0x1A, 0x3F, (byte)blocks, (byte)(blocks >> 8), 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF);
        prefix.LpcBlockCount.Should().Be(blocks);
        prefix.StellarisAddress.Should().BeNull();
    }

    [Fact]
    public void CreateStellaris_AddressAndLength_DfuPrefixLayout()
    {
        DfuPrefix prefix = DfuPrefixes.CreateStellaris(0x2400, 0x0001_0203);
        prefix.Bytes.ToArray().Should().Equal(0x01, 0x00, 0x09, 0x00, 0x03, 0x02, 0x01, 0x00);
        prefix.StellarisAddress.Should().Be(0x2400u);
        prefix.StellarisPayloadLength.Should().Be(0x0001_0203u);
        prefix.LpcBlockCount.Should().BeNull();
    }

    [Fact]
    public void CreateStellaris_UnalignedAddress_ArgumentException()
        => FluentActions.Invoking(() => DfuPrefixes.CreateStellaris(0x2001, 1)).Should().Throw<ArgumentException>();

    [Fact]
    public void CreateStellaris_AddressAbove64MiB_ArgumentOutOfRange()
        => FluentActions.Invoking(() => DfuPrefixes.CreateStellaris(0x0400_0000, 1)).Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public void CreateLpc_TooLong_ArgumentOutOfRange()
        => FluentActions.Invoking(() => DfuPrefixes.CreateLpc(DfuPrefixes.MaxLpcFirmwareLength + 1)).Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public void Detect_StellarisWithMatchingLength_FoundAndStripped()
    {
        byte[] firmware = DfuTestHelpers.RandomBytes(3, 40);
        byte[] body = [.. DfuPrefixes.CreateStellaris(0x8000, firmware.Length).Bytes.ToArray(), .. firmware];

        DfuPrefixes.Detect(body)!.StellarisAddress.Should().Be(0x8000u);
        DfuPrefixes.Strip(body).ToArray().Should().Equal(firmware);
    }

    [Fact]
    public void Detect_StartsWith0100ButLengthDisagrees_NoPrefix()
    {
        byte[] body = [0x01, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00, 0x00, 1, 2, 3];
        DfuPrefixes.Detect(body).Should().BeNull();
        DfuPrefixes.Strip(body).Length.Should().Be(body.Length);
    }

    [Fact]
    public void Detect_LpcWithFlagBits_Found()
    {
        byte[] body = [0x5A, 0x7F, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 0xFF, 0xFF, 0xFF, 9];
        DfuPrefixes.Detect(body)!.Type.Should().Be(DfuPrefixType.Lpc);
        DfuPrefixes.Strip(body).ToArray().Should().Equal(9);
    }

    [Fact]
    public void Detect_LpcLookalikeWithoutReservedBytes_NoPrefix()
        => DfuPrefixes.Detect([0x1A, 0x3F, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]).Should().BeNull();

    [Fact]
    public void Detect_TooShort_NoPrefix()
        => DfuPrefixes.Detect([0x1A, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF]).Should().BeNull();

    [Fact]
    public void Read_FileWithPrefix_NotDetectedWhenAskedNot()
    {
        byte[] file = new DfuFile { Prefix = DfuPrefixes.CreateLpc(20), Firmware = new byte[20], Suffix = new DfuSuffix() }.ToArray();

        DfuFile.Read(file).Prefix!.Type.Should().Be(DfuPrefixType.Lpc);
        DfuFile plain = DfuFile.Read(file, new DfuReadOptions { DetectPrefix = false });
        plain.Prefix.Should().BeNull();
        plain.Firmware.Length.Should().Be(36);
    }

    [Fact]
    public void Write_PrefixRemoved_FirmwareAndSuffixOnly()
    {
        byte[] firmware = DfuTestHelpers.RandomBytes(4, 64);
        DfuFile withPrefix = new() { Prefix = DfuPrefixes.CreateStellaris(0x2000, firmware.Length), Firmware = firmware, Suffix = new DfuSuffix() };

        byte[] stripped = (withPrefix with { Prefix = null }).ToArray();

        stripped.Length.Should().Be(64 + 16);
        DfuFile.Read(stripped).Firmware.ToArray().Should().Equal(firmware);
    }
}
