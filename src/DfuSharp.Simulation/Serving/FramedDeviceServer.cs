using System.Buffers;
using DfuSharp.Usb;

namespace DfuSharp.Simulation.Serving;

/// <summary>
/// Serves a device model over a pair of streams in the framed protocol of tools/usb-emulator (see
/// <see cref="UsbFrameCodec"/>), so that programs using libusb reach a simulated device through the real Linux USB
/// stack. Requests are answered strictly one at a time, in order.
/// </summary>
public sealed class FramedDeviceServer
{
    private readonly Func<UsbFrameRequest, CancellationToken, ValueTask<UsbFrameResponse>> _handler;

    /// <summary>Creates a server around a request handler.</summary>
    /// <param name="handler">Answers one request; it runs on the serving task, never concurrently.</param>
    public FramedDeviceServer(Func<UsbFrameRequest, CancellationToken, ValueTask<UsbFrameResponse>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
    }

    /// <summary>Creates a server around a synchronous request handler.</summary>
    /// <param name="handler">Answers one request; it runs on the serving task, never concurrently.</param>
    public FramedDeviceServer(Func<UsbFrameRequest, UsbFrameResponse> handler)
        : this(Wrap(handler))
    {
    }

    /// <summary>Gets the number of requests answered so far.</summary>
    public long RequestCount { get; private set; }

    /// <summary>Answers requests until <paramref name="input"/> ends.</summary>
    /// <param name="input">Request frames (the emulator's side of the model's stdin).</param>
    /// <param name="output">Response frames; flushed after each one.</param>
    /// <param name="cancellationToken">Stops serving.</param>
    /// <returns>A task that completes when the input ends cleanly.</returns>
    /// <exception cref="InvalidDataException">A frame is malformed or the input ends inside a frame.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task RunAsync(Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        byte[] frame = new byte[UsbFrameCodec.RequestHeaderSize + ushort.MaxValue];
        var writer = new ArrayBufferWriter<byte>(UsbFrameCodec.ResponseHeaderSize + 4096);
        while (true)
        {
            int read = await input.ReadAtLeastAsync(frame.AsMemory(0, UsbFrameCodec.RequestHeaderSize), UsbFrameCodec.RequestHeaderSize, throwOnEndOfStream: false, cancellationToken);
            if (read == 0)
            {
                return;
            }

            if (read < UsbFrameCodec.RequestHeaderSize)
            {
                throw new InvalidDataException($"The input ended inside a request header after {read} bytes.");
            }

            int length = UsbFrameCodec.ReadRequestDataLength(frame);
            if (length > 0)
            {
                await input.ReadExactlyAsync(frame.AsMemory(UsbFrameCodec.RequestHeaderSize, length), cancellationToken);
            }

            UsbFrameRequest request = UsbFrameCodec.ReadRequest(frame.AsSpan(0, UsbFrameCodec.RequestHeaderSize + length));
            UsbFrameResponse response = await _handler(request, cancellationToken);
            if (request.Kind == UsbFrameKind.Control && request.Setup.IsDeviceToHost && response.Data.Length > request.Setup.Length)
            {
                // A device never sends more than wLength (USB 2.0 §9.3.5).
                response = response with { Data = response.Data[..request.Setup.Length] };
            }

            writer.ResetWrittenCount();
            UsbFrameCodec.WriteResponse(response, writer);
            await output.WriteAsync(writer.WrittenMemory, cancellationToken);
            await output.FlushAsync(cancellationToken);
            RequestCount++;
        }
    }

    private static Func<UsbFrameRequest, CancellationToken, ValueTask<UsbFrameResponse>> Wrap(Func<UsbFrameRequest, UsbFrameResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return (request, _) => ValueTask.FromResult(handler(request));
    }
}
