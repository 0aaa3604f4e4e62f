using System.Buffers;
using DfuSharp.Simulation.Serving;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation.Serving;

public sealed class FramedDeviceServerTests
{
    private static MemoryStream Frames(params UsbFrameRequest[] requests)
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (UsbFrameRequest request in requests)
        {
            UsbFrameCodec.WriteRequest(request, writer);
        }

        return new MemoryStream(writer.WrittenSpan.ToArray());
    }

    private static List<UsbFrameResponse> Responses(byte[] output)
    {
        var responses = new List<UsbFrameResponse>();
        for (int offset = 0; offset < output.Length;)
        {
            UsbFrameResponse response = UsbFrameCodec.ReadResponse(output.AsSpan(offset));
            responses.Add(response);
            offset += UsbFrameCodec.ResponseHeaderSize + response.Data.Length;
        }

        return responses;
    }

    [Fact]
    public async Task RunAsync_Requests_AnswersEachInOrder()
    {
        var seen = new List<UsbFrameRequest>();
        var server = new FramedDeviceServer(request =>
        {
            seen.Add(request);
            return request.Kind == UsbFrameKind.BusReset
                ? new UsbFrameResponse(0, true, ReadOnlyMemory<byte>.Empty)
                : new UsbFrameResponse(0, false, new byte[] { (byte)request.Setup.Request });
        });
        using MemoryStream input = Frames(
            new UsbFrameRequest(UsbFrameKind.Control, new UsbSetupPacket(0xA1, 3, 0, 0, 6), ReadOnlyMemory<byte>.Empty),
            new UsbFrameRequest(UsbFrameKind.BusReset, default, ReadOnlyMemory<byte>.Empty),
            new UsbFrameRequest(UsbFrameKind.Control, new UsbSetupPacket(0x21, 1, 2, 0, 2), new byte[] { 5, 6 }));
        using var output = new MemoryStream();

        await server.RunAsync(input, output);

        seen.Select(r => r.Kind).Should().Equal(UsbFrameKind.Control, UsbFrameKind.BusReset, UsbFrameKind.Control);
        seen[2].Data.ToArray().Should().Equal(5, 6);
        Responses(output.ToArray()).Should().Equal(
            new UsbFrameResponse(0, false, new byte[] { 3 }),
            new UsbFrameResponse(0, true, ReadOnlyMemory<byte>.Empty),
            new UsbFrameResponse(0, false, new byte[] { 1 }));
        server.RequestCount.Should().Be(3);
    }

    [Fact]
    public async Task RunAsync_AnswerLongerThanWLength_IsTruncated()
    {
        var server = new FramedDeviceServer(_ => new UsbFrameResponse(0, false, new byte[18]));
        using MemoryStream input = Frames(new UsbFrameRequest(UsbFrameKind.Control, new UsbSetupPacket(0x80, 6, 0x0100, 0, 8), ReadOnlyMemory<byte>.Empty));
        using var output = new MemoryStream();

        await server.RunAsync(input, output);

        Responses(output.ToArray()).Single().Data.Length.Should().Be(8);
    }

    [Fact]
    public async Task RunAsync_InputEndsInsideHeader_Throws()
    {
        var server = new FramedDeviceServer(_ => new UsbFrameResponse(0, false, ReadOnlyMemory<byte>.Empty));
        using var input = new MemoryStream([(byte)'C', 0x80, 6]);
        using var output = new MemoryStream();

        await FluentActions.Awaiting(() => server.RunAsync(input, output))
            .Should().ThrowAsync<InvalidDataException>().WithMessage("*after 3 bytes*");
    }
}
