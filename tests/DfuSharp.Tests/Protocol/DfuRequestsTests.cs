using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Protocol;

public class DfuRequestsTests
{
    [Fact]
    public void Dnload_Block7Length2048_ClassOutToInterface()
        => DfuRequests.Dnload(0, 7, 2048).Should().Be(new UsbSetupPacket(0x21, 0x01, 7, 0, 2048));

    [Fact]
    public void Upload_Interface2_ClassInToInterface()
    {
        UsbSetupPacket setup = DfuRequests.Upload(2, 3, 64);
        setup.Should().Be(new UsbSetupPacket(0xA1, 0x02, 3, 2, 64));
        setup.IsDeviceToHost.Should().BeTrue();
        setup.Type.Should().Be(UsbRequestType.Class);
        setup.Recipient.Should().Be(UsbRecipient.Interface);
    }

    [Fact]
    public void Detach_Timeout_GoesInWValue()
        => DfuRequests.Detach(1, 1000).Should().Be(new UsbSetupPacket(0x21, 0x00, 1000, 1, 0));

    [Fact]
    public void GetStatus_AsksForSixBytes()
        => DfuRequests.GetStatus(0).Should().Be(new UsbSetupPacket(0xA1, 0x03, 0, 0, 6));

    [Fact]
    public void ClrStatus_NoData()
        => DfuRequests.ClrStatus(0).Should().Be(new UsbSetupPacket(0x21, 0x04, 0, 0, 0));

    [Fact]
    public void GetState_AsksForOneByte()
        => DfuRequests.GetState(0).Should().Be(new UsbSetupPacket(0xA1, 0x05, 0, 0, 1));

    [Fact]
    public void Abort_NoData()
        => DfuRequests.Abort(3).Should().Be(new UsbSetupPacket(0x21, 0x06, 0, 3, 0));

    [Fact]
    public void WriteTo_Dnload_LittleEndianWireBytes()
    {
        byte[] wire = new byte[8];
        DfuRequests.Dnload(0, 0x0102, 0x0800).WriteTo(wire);
        wire.Should().Equal(0x21, 0x01, 0x02, 0x01, 0x00, 0x00, 0x00, 0x08);
    }

    [Fact]
    public void Parse_StatusReply_ReadsTwentyFourBitPollTimeout()
    {
        DfuStatusReport report = DfuStatusReport.Parse([0x00, 0x64, 0x00, 0x01, 0x04, 0x00]);
        report.Should().Be(new DfuStatusReport(DfuStatus.Ok, 0x010064, DfuState.DfuDnbusy, 0));
    }

    [Fact]
    public void Parse_ShortStatusReply_ThrowsProtocolException()
        => FluentActions.Invoking(() => DfuStatusReport.Parse([0x00, 0x00, 0x00]))
            .Should().Throw<DfuProtocolException>().WithMessage("*3 bytes*");
}
