using System.Text;
using DfuSharp.LibUsb;
using DfuSharp.Usb;

namespace DfuSharp.Tests.LibUsb;

public sealed class UsbDescriptorsTests
{
    private static byte[] StringDescriptor(byte[] payload) => [(byte)(payload.Length + 2), 0x03, .. payload];

    [Fact]
    public void DecodeString_Utf16_ReturnsText()
    {
        byte[] descriptor = StringDescriptor(Encoding.Unicode.GetBytes("STM32  BOOTLOADER"));

        string text = UsbDescriptorParser.DecodeString(descriptor, out bool wasUtf8);

        text.Should().Be("STM32  BOOTLOADER");
        wasUtf8.Should().BeFalse();
    }

    [Fact]
    public void DecodeString_Gd32Utf8Serial_DecodesAsUtf8()
    {
        // GD32VF103 ROM: the serial's bytes are ASCII, not UTF-16 (dfu-util carries a quirk for it).
        byte[] descriptor = StringDescriptor("3276387B3335"u8.ToArray());

        string text = UsbDescriptorParser.DecodeString(descriptor, out bool wasUtf8);

        text.Should().Be("3276387B3335");
        wasUtf8.Should().BeTrue();
    }

    [Fact]
    public void DecodeString_OddLengthUtf8_DecodesAsUtf8()
    {
        byte[] descriptor = StringDescriptor("ABC"u8.ToArray());

        UsbDescriptorParser.DecodeString(descriptor, out bool wasUtf8).Should().Be("ABC");
        wasUtf8.Should().BeTrue();
    }

    [Fact]
    public void DecodeString_Utf16OutsideLatin1_StaysUtf16()
    {
        byte[] descriptor = StringDescriptor(Encoding.Unicode.GetBytes("固件"));

        UsbDescriptorParser.DecodeString(descriptor, out bool wasUtf8).Should().Be("固件");
        wasUtf8.Should().BeFalse();
    }

    [Fact]
    public void DecodeString_BLengthShorterThanBuffer_StopsAtBLength()
    {
        byte[] descriptor = [6, 0x03, (byte)'a', 0, (byte)'b', 0, (byte)'X', 0];

        UsbDescriptorParser.DecodeString(descriptor, out _).Should().Be("ab");
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 2 })]
    [InlineData(new byte[] { 4, 0x02, 0x41, 0x00 })]
    public void DecodeString_NotAStringDescriptor_ReturnsEmpty(byte[] descriptor)
        => UsbDescriptorParser.DecodeString(descriptor, out _).Should().BeEmpty();

    [Fact]
    public void FirstLanguageId_EnglishUs_Returns0409()
        => UsbDescriptors.FirstLanguageId([4, 0x03, 0x09, 0x04]).Should().Be((ushort)0x0409);

    [Fact]
    public void FirstLanguageId_NoLanguages_ReturnsNull()
        => UsbDescriptors.FirstLanguageId([2, 0x03]).Should().BeNull();

    [Theory]
    [InlineData(1, new byte[] { 1 }, "1-1")]
    [InlineData(3, new byte[] { 2, 4, 1 }, "3-2.4.1")]
    [InlineData(2, new byte[0], "2")]
    public void FormatPortPath_Ports_MatchesDfuUtil(int bus, byte[] ports, string expected)
        => UsbDescriptors.FormatPortPath(bus, ports).Should().Be(expected);

    [Fact]
    public void FindFunctionalDescriptor_OwnExtra_Wins()
    {
        byte[] own = [9, 0x21, 0x0B, 0xFF, 0x00, 0x00, 0x08, 0x1A, 0x01];

        DfuFunctionalDescriptor? found = UsbDescriptors.FindFunctionalDescriptor(own, [], []);

        found.Should().Be(new DfuFunctionalDescriptor((DfuAttributes)0x0B, 255, 2048, 0x011A));
    }

    [Fact]
    public void FindFunctionalDescriptor_OnlyAfterLastAlternateSetting_IsShared()
    {
        // ST's DfuSe ROM: one functional descriptor after the last alternate setting of the interface.
        byte[] last = [9, 0x21, 0x0B, 0xFF, 0x00, 0x00, 0x08, 0x1A, 0x01];

        DfuFunctionalDescriptor? found = UsbDescriptors.FindFunctionalDescriptor([], [ReadOnlyMemory<byte>.Empty, last], []);

        found!.TransferSize.Should().Be(2048);
    }

    [Fact]
    public void FindFunctionalDescriptor_AfterConfiguration_IsFound()
    {
        byte[] configuration = [9, 0x21, 0x07, 0xE8, 0x03, 0x00, 0x04, 0x10, 0x01];

        UsbDescriptors.FindFunctionalDescriptor([], [], configuration)!.DfuVersion.Should().Be(0x0110);
    }

    [Fact]
    public void FindFunctionalDescriptor_Nowhere_ReturnsNull()
        => UsbDescriptors.FindFunctionalDescriptor([5, 0x24, 0, 0, 0], [], []).Should().BeNull();

    [Fact]
    public void GetDescriptor_String_BuildsStandardDeviceRequest()
        => UsbDescriptors.GetDescriptor(0x03, 2, 0x0409, 255).Should().Be(new UsbSetupPacket(0x80, 0x06, 0x0302, 0x0409, 255));

    [Fact]
    public void ParseRequestedFunctionalDescriptor_HidDescriptorReply_Rejected()
        => UsbDescriptors.ParseRequestedFunctionalDescriptor([0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x30, 0x00]).Should().BeNull();

    [Theory]
    [InlineData(new byte[] { 0x09, 0x21, 0x0B, 0xFF, 0x00, 0x00, 0x08, 0x1A, 0x01 }, 0x011A)]
    [InlineData(new byte[] { 0x09, 0x21, 0x07, 0xE8, 0x03, 0x00, 0x04, 0x10, 0x01 }, 0x0110)]
    [InlineData(new byte[] { 0x07, 0x21, 0x03, 0xE8, 0x03, 0x00, 0x04 }, 0x0100)]
    public void ParseRequestedFunctionalDescriptor_DfuReply_Accepted(byte[] reply, int version)
        => UsbDescriptors.ParseRequestedFunctionalDescriptor(reply)!.DfuVersion.Should().Be((ushort)version);
}
