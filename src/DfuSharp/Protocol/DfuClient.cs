using DfuSharp.Usb;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DfuSharp.Protocol;

/// <summary>
/// The advanced, low-level API: one method per DFU class request (DFU 1.1 §3), sent on an open transport to one
/// interface. It has no policy: it does not wait, poll, retry or recover. Most callers want <see cref="DfuDevice"/>.
/// </summary>
/// <remarks>Does not own the transport.</remarks>
public sealed class DfuClient
{
    private readonly ILogger _logger;
    private long _controlTransfers;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="transport">An open transport; the caller keeps ownership.</param>
    /// <param name="interfaceNumber">bInterfaceNumber of the DFU interface (wIndex of every request).</param>
    /// <param name="requestTimeout">The timeout of each control transfer; 5 seconds when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where to log setup packets and status bytes (Trace).</param>
    /// <exception cref="ArgumentNullException"><paramref name="transport"/> is <see langword="null"/>.</exception>
    public DfuClient(IUsbTransport transport, byte interfaceNumber, TimeSpan? requestTimeout = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        Transport = transport;
        InterfaceNumber = interfaceNumber;
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("DfuSharp.Protocol");
    }

    /// <summary>Gets the transport.</summary>
    public IUsbTransport Transport { get; }

    /// <summary>Gets the DFU interface number.</summary>
    public byte InterfaceNumber { get; }

    /// <summary>Gets the default timeout of each control transfer.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>Sends DFU_DETACH (DFU 1.1 §5.1).</summary>
    /// <param name="timeoutMs">wTimeout: how long the device waits for a USB reset.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the request has been accepted.</returns>
    /// <exception cref="UsbTransportException">The transfer failed (a STALL means the device refused).</exception>
    public Task DetachAsync(ushort timeoutMs, CancellationToken cancellationToken = default)
        => OutAsync(DfuRequest.Detach, DfuRequests.Detach(InterfaceNumber, timeoutMs), ReadOnlyMemory<byte>.Empty, null, cancellationToken);

    /// <summary>Sends DFU_DNLOAD with <paramref name="data"/> as block <paramref name="block"/> (DFU 1.1 §6.1.1).</summary>
    /// <param name="block">wBlockNum.</param>
    /// <param name="data">The block; empty ends the download (or, on DfuSe, leaves).</param>
    /// <param name="timeout">The transfer timeout; <see cref="RequestTimeout"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the data stage has completed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="data"/> is longer than 65535 bytes.</exception>
    /// <exception cref="UsbTransportException">The transfer failed.</exception>
    public Task DnloadAsync(ushort block, ReadOnlyMemory<byte> data, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, ushort.MaxValue, nameof(data));
        return OutAsync(DfuRequest.Dnload, DfuRequests.Dnload(InterfaceNumber, block, (ushort)data.Length), data, timeout, cancellationToken);
    }

    /// <summary>Sends DFU_UPLOAD for block <paramref name="block"/> (DFU 1.1 §6.2) and reads up to <paramref name="buffer"/>'s length.</summary>
    /// <param name="block">wBlockNum.</param>
    /// <param name="buffer">Receives the data; its length is wLength (at most 65535).</param>
    /// <param name="timeout">The transfer timeout; <see cref="RequestTimeout"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The number of bytes received; fewer than asked for means the end of the firmware.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="buffer"/> is longer than 65535 bytes.</exception>
    /// <exception cref="UsbTransportException">The transfer failed.</exception>
    /// <exception cref="DfuProtocolException">The device sent more than was asked for.</exception>
    public async Task<int> UploadAsync(ushort block, Memory<byte> buffer, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buffer.Length, ushort.MaxValue, nameof(buffer));
        UsbSetupPacket setup = DfuRequests.Upload(InterfaceNumber, block, (ushort)buffer.Length);
        int received = await InAsync(DfuRequest.Upload, setup, buffer, timeout, cancellationToken).ConfigureAwait(false);
        if (received > buffer.Length)
        {
            throw new DfuProtocolException($"DFU_UPLOAD block {block} returned {received} bytes; {buffer.Length} were asked for.");
        }

        return received;
    }

    /// <summary>Sends DFU_GETSTATUS (DFU 1.1 §6.1.2).</summary>
    /// <param name="timeout">The transfer timeout; longer for requests the device answers slowly (a mass erase).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The status report.</returns>
    /// <exception cref="UsbTransportException">The transfer failed.</exception>
    /// <exception cref="DfuProtocolException">The reply is not 6 bytes.</exception>
    public async Task<DfuStatusReport> GetStatusAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        byte[] reply = new byte[DfuStatusReport.Size];
        int received = await InAsync(DfuRequest.GetStatus, DfuRequests.GetStatus(InterfaceNumber), reply, timeout, cancellationToken)
            .ConfigureAwait(false);
        DfuStatusReport report = DfuStatusReport.Parse(reply.AsSpan(0, Math.Min(received, reply.Length)));
        Log.StatusBytes(_logger, report);
        return report;
    }

    /// <summary>Reads the text of a status report's iString (DFU 1.1 §6.1.2), for example to explain errVENDOR.</summary>
    /// <param name="report">A GETSTATUS reply.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The text, or <see langword="null"/> when iString is 0.</returns>
    /// <exception cref="UsbTransportException">The string descriptor could not be read.</exception>
    public async Task<string?> GetStatusTextAsync(DfuStatusReport report, CancellationToken cancellationToken = default)
        => report.StringIndex == 0
            ? null
            : await Transport.GetStringDescriptorAsync(report.StringIndex, 0, cancellationToken).ConfigureAwait(false);

    /// <summary>Sends DFU_CLRSTATUS (DFU 1.1 §6.1.3).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the request has been accepted.</returns>
    /// <exception cref="UsbTransportException">The transfer failed.</exception>
    public Task ClrStatusAsync(CancellationToken cancellationToken = default)
        => OutAsync(DfuRequest.ClrStatus, DfuRequests.ClrStatus(InterfaceNumber), ReadOnlyMemory<byte>.Empty, null, cancellationToken);

    /// <summary>Sends DFU_GETSTATE (DFU 1.1 §6.1.5).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>bState.</returns>
    /// <exception cref="UsbTransportException">The transfer failed.</exception>
    /// <exception cref="DfuProtocolException">The reply is not 1 byte.</exception>
    public async Task<DfuState> GetStateAsync(CancellationToken cancellationToken = default)
    {
        byte[] reply = new byte[DfuRequests.StateLength];
        int received = await InAsync(DfuRequest.GetState, DfuRequests.GetState(InterfaceNumber), reply, null, cancellationToken)
            .ConfigureAwait(false);
        return received == 1
            ? (DfuState)reply[0]
            : throw new DfuProtocolException($"DFU_GETSTATE returned {received} bytes; DFU 1.1 §6.1.5 requires 1.");
    }

    /// <summary>Sends DFU_ABORT (DFU 1.1 §6.1.4).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the request has been accepted.</returns>
    /// <exception cref="UsbTransportException">The transfer failed.</exception>
    public Task AbortAsync(CancellationToken cancellationToken = default)
        => OutAsync(DfuRequest.Abort, DfuRequests.Abort(InterfaceNumber), ReadOnlyMemory<byte>.Empty, null, cancellationToken);

    // DFU 1.1 §3 names each request DFU_ and its enum name in capitals: DFU_DNLOAD, DFU_GETSTATUS.
    /// <summary>Gets the number of control transfers this client has started.</summary>
    public long ControlTransfers => Interlocked.Read(ref _controlTransfers);

    private static string RequestName(DfuRequest request)
        => Enum.IsDefined(request) ? "DFU_" + request.ToString().ToUpperInvariant() : $"DFU request {(int)request}";

    private async Task OutAsync(DfuRequest request, UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        Log.SetupPacket(_logger, request, setup, data.Length);
        Interlocked.Increment(ref _controlTransfers);
        try
        {
            await Transport.ControlOutAsync(setup, data, timeout ?? RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (UsbTransportException ex) when (ex.Request is null)
        {
            throw InRequest(ex, request, setup, data.Length);
        }
    }

    private async Task<int> InAsync(DfuRequest request, UsbSetupPacket setup, Memory<byte> buffer, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        Log.SetupPacket(_logger, request, setup, buffer.Length);
        Interlocked.Increment(ref _controlTransfers);
        try
        {
            return await Transport.ControlInAsync(setup, buffer, timeout ?? RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (UsbTransportException ex) when (ex.Request is null)
        {
            throw InRequest(ex, request, setup, buffer.Length);
        }
    }

    // A STALL, timeout or disconnect from the transport names only a setup packet; say which DFU request it was, with
    // its block (wValue) and length, as status errors do. The kind of failure is kept, so callers decide as before.
    private static UsbTransportException InRequest(UsbTransportException ex, DfuRequest request, UsbSetupPacket setup, int length)
    {
        string what = request switch
        {
            DfuRequest.Dnload or DfuRequest.Upload => $"{RequestName(request)} block {setup.Value} ({length} bytes)",
            DfuRequest.Detach => $"{RequestName(request)} (timeout {setup.Value} ms)",
            _ => RequestName(request),
        };
        return new UsbTransportException(ex.Error, $"{what} failed: {ex.Message}", ex)
        {
            Request = request,
            Value = setup.Value,
            Length = length,
        };
    }
}
