using DfuSharp.Hid;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Hid;

public sealed class HidRequestsTests
{
    [Fact]
    public void GetReportDescriptor_StandardInToInterface()
        => HidRequests.GetReportDescriptor(2, 57).Should().Be(new UsbSetupPacket(0x81, 0x06, 0x2200, 2, 57));

    [Theory]
    [InlineData(HidReportType.Feature, 0x80, 0x0380)]
    [InlineData(HidReportType.Output, 0x00, 0x0200)]
    public void SetReport_TypeAndId_InWValue(HidReportType type, byte id, ushort value)
        => HidRequests.SetReport(1, type, id, 2).Should().Be(new UsbSetupPacket(0x21, 0x09, value, 1, 2));

    [Fact]
    public void SetReport_DetachReportWithId_LengthCountsTheIdByte()
    {
        var report = new HidDetachReport(0x80, HidReportType.Feature, 1, 0, 8);
        HidRequests.SetReport(0, report).Should().Be(new UsbSetupPacket(0x21, 0x09, 0x0380, 0, 2));
        report.CreatePayload().Should().Equal(0x80, 0x55);
    }

    [Fact]
    public void CreatePayload_NoIdNarrowFieldAtBit12_WritesTheLowBitsOf0x55There()
    {
        var report = new HidDetachReport(0, HidReportType.Output, 3, 12, 4);
        report.CreatePayload().Should().Equal(0x00, 0x50, 0x00);
    }

    [Fact]
    public void FindReportDescriptorLength_HidDescriptorAfterAnotherDescriptor_ReadsWDescriptorLength()
    {
        byte[] extra = [0x05, 0x24, 0x00, 0x10, 0x01, 0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x39, 0x00];
        HidRequests.FindReportDescriptorLength(extra).Should().Be(0x39);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x23, 0x39, 0x00 })]  // only a physical descriptor
    [InlineData(new byte[] { 0x07, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22 })]              // truncated entry
    public void FindReportDescriptorLength_NoReportEntry_Null(byte[] extra)
        => HidRequests.FindReportDescriptorLength(extra).Should().BeNull();
}
