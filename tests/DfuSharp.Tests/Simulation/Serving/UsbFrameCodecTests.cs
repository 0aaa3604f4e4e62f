using System.Buffers;
using DfuSharp.Simulation.Serving;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation.Serving;

public sealed class UsbFrameCodecTests
{
    [Fact]
    public void WriteRequest_Dnload_HasDocumentedLayout()
    {
        var writer = new ArrayBufferWriter<byte>();

        UsbFrameCodec.WriteRequest(new UsbFrameRequest(UsbFrameKind.Control, new UsbSetupPacket(0x21, 1, 2, 0, 3), new byte[] { 0xAA, 0xBB, 0xCC }), writer);

        writer.WrittenSpan.ToArray().Should().Equal(
            (byte)'C', 0x21, 0x01, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x03, 0x00, 0xAA, 0xBB, 0xCC);
    }

    [Fact]
    public void ReadRequest_WrittenRequest_RoundTrips()
    {
        var request = new UsbFrameRequest(UsbFrameKind.Control, new UsbSetupPacket(0x21, 1, 7, 0, 2), new byte[] { 1, 2 });
        var writer = new ArrayBufferWriter<byte>();
        UsbFrameCodec.WriteRequest(request, writer);

        UsbFrameCodec.ReadRequest(writer.WrittenSpan).Should().Be(request);
    }

    [Fact]
    public void WriteResponse_StallWithReenumerate_HasDocumentedLayout()
    {
        var writer = new ArrayBufferWriter<byte>();

        UsbFrameCodec.WriteResponse(new UsbFrameResponse(UsbFrameCodec.StatusStall, true, new byte[] { 9 }), writer);

        writer.WrittenSpan.ToArray().Should().Equal(0xE0, 0xFF, 0xFF, 0xFF, 0x01, 0x01, 0x00, 0x09);
    }

    [Fact]
    public void ReadResponse_WrittenResponse_RoundTrips()
    {
        var response = new UsbFrameResponse(0, false, new byte[] { 0, 1, 0, 0, 2, 0 });
        var writer = new ArrayBufferWriter<byte>();
        UsbFrameCodec.WriteResponse(response, writer);

        UsbFrameCodec.ReadResponse(writer.WrittenSpan).Should().Be(response);
    }

    [Fact]
    public void ReadRequest_UnknownKind_ThrowsWithOffset()
    {
        byte[] frame = [(byte)'X', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        FluentActions.Invoking(() => UsbFrameCodec.ReadRequest(frame))
            .Should().Throw<InvalidDataException>().WithMessage("*0x58 at offset 0*");
    }

    [Fact]
    public void ReadRequest_DataShorterThanAnnounced_Throws()
    {
        byte[] frame = [(byte)'C', 0x21, 1, 0, 0, 0, 0, 4, 0, 4, 0, 1, 2];

        FluentActions.Invoking(() => UsbFrameCodec.ReadRequest(frame))
            .Should().Throw<InvalidDataException>().WithMessage("*announces 4 data bytes but 2 follow*");
    }

    [Fact]
    public void ReadResponse_TruncatedHeader_Throws()
        => FluentActions.Invoking(() => UsbFrameCodec.ReadResponse(new byte[3]))
            .Should().Throw<InvalidDataException>();
}
