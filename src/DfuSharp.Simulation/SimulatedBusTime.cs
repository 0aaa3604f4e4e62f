namespace DfuSharp.Simulation;

/// <summary>
/// How long a control transfer occupies a USB full-speed bus: the time a simulated device charges for every transfer
/// when its profile's <see cref="SimulatedTiming.FullSpeedBusTime"/> is set.
/// </summary>
/// <remarks>
/// <para>
/// The figures are the USB 2.0 specification's. Full speed signals at 12 Mbit/s (§7.1.11) in frames of 1 ms (§5.12.1),
/// each opened by a start-of-frame packet (§8.4.3: SYNC, PID, 11-bit frame number, CRC5, EOP: 35 bit times), which
/// leaves <see cref="FrameBitTimes"/> − <see cref="StartOfFrameBitTimes"/> bit times of every frame to transfers.
/// A control transfer is a SETUP transaction, one transaction per data packet of up to bMaxPacketSize0 bytes, and a
/// status transaction. §5.5.4, Table 5-5 ("Full-speed Control Transaction Limits") puts the protocol overhead of a
/// control transfer with one data packet at 45 bytes (9 SYNC, 9 PID, 6 endpoint + CRC, 6 CRC, 8 setup data bytes, and
/// 7 bytes of inter-packet delay); each further data packet adds one transaction of 13 bytes (3 SYNC, 3 PID,
/// 2 endpoint + CRC, 2 CRC, 3 bytes of inter-packet delay: the bulk overhead of §5.8.4, Table 5-9), and a transfer
/// without a data stage has one transaction fewer. Bit stuffing (§7.1.9) adds at most one bit in seven; the bandwidth
/// calculations of §5.11.3 budget that worst case (a factor of 7/6), and so does this model.
/// </para>
/// <para>
/// The time does not include NAKed retries of a held request (the device is busy then anyway), nor host controller
/// scheduling beyond the frame: a real host may need a little longer, never less.
/// </para>
/// </remarks>
public static class SimulatedBusTime
{
    /// <summary>The full-speed signalling rate in bits per second (USB 2.0 §7.1.11).</summary>
    public const int FullSpeedBitsPerSecond = 12_000_000;

    /// <summary>The bit times in one 1 ms full-speed frame (USB 2.0 §5.12.1).</summary>
    public const int FrameBitTimes = 12_000;

    /// <summary>The bit times of the start-of-frame packet that opens every frame (USB 2.0 §8.4.3).</summary>
    public const int StartOfFrameBitTimes = 35;

    /// <summary>The protocol overhead in bytes of a control transfer with one data packet (USB 2.0 §5.5.4, Table 5-5).</summary>
    public const int ControlOverheadBytes = 45;

    /// <summary>The protocol overhead in bytes of each further data transaction (USB 2.0 §5.8.4, Table 5-9).</summary>
    public const int DataTransactionOverheadBytes = 13;

    /// <summary>The bMaxPacketSize0 of the simulated devices: 64 bytes, the largest full speed allows (USB 2.0 §5.5.3).</summary>
    public const int MaxPacketSize0 = 64;

    /// <summary>Returns the bus time of one control transfer at full speed.</summary>
    /// <param name="dataLength">The bytes of its data stage (OUT or IN), 0 for none.</param>
    /// <param name="maxPacketSize">bMaxPacketSize0.</param>
    /// <returns>The time the transfer occupies the bus, bit stuffing and start-of-frame packets included.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dataLength"/> is negative or <paramref name="maxPacketSize"/> is not positive.</exception>
    public static TimeSpan ControlTransfer(int dataLength, int maxPacketSize = MaxPacketSize0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPacketSize);
        int packets = (dataLength + maxPacketSize - 1) / maxPacketSize;
        long bytes = ControlOverheadBytes + ((long)(packets - 1) * DataTransactionOverheadBytes) + dataLength;

        // Bits, with the worst-case bit stuffing of 7/6, on the share of each frame that the start of frame leaves.
        double bits = bytes * 8 * 7 / 6.0;
        double seconds = bits / FullSpeedBitsPerSecond * FrameBitTimes / (FrameBitTimes - StartOfFrameBitTimes);
        return TimeSpan.FromTicks((long)Math.Ceiling(seconds * TimeSpan.TicksPerSecond));
    }
}

/// <summary>
/// A single-TT hub (or one full-speed bus) that several simulated boards share: their control transfers cannot overlap
/// on the wire, so each waits until the bus is free, then holds it for its own bus time (USB 2.0 §11.14: a single
/// transaction translator serves one full-speed transaction at a time for all ports of the hub). Opt-in: give the same
/// instance to the boards that share it, through <see cref="SimulatedDeviceOptions.Hub"/> or
/// <see cref="SimulatedUsbBus.Hub"/>; without one, each board has a bus of its own.
/// </summary>
/// <remarks>Only the bus time is shared: a board's busy time (erase, programming) runs on its own. The time a board
/// waits for another's transfer is not part of its <see cref="SimulatedDfuDevice.DeviceMinimumTime"/>.</remarks>
public sealed class SimulatedUsbHub
{
    private readonly Lock _gate = new();
    private DateTimeOffset _freeAt = DateTimeOffset.MinValue;
    private TimeSpan _occupied;

    /// <summary>Gets the total bus time of every transfer the hub has carried.</summary>
    public TimeSpan Occupied
    {
        get
        {
            lock (_gate)
            {
                return _occupied;
            }
        }
    }

    /// <summary>Takes the bus for one transfer.</summary>
    /// <param name="now">When the transfer is ready to start.</param>
    /// <param name="busTime">How long it holds the bus.</param>
    /// <returns>When it ends: after every transfer that took the bus before it, plus its own bus time.</returns>
    internal DateTimeOffset Reserve(DateTimeOffset now, TimeSpan busTime)
    {
        lock (_gate)
        {
            DateTimeOffset start = _freeAt > now ? _freeAt : now;
            _freeAt = start + busTime;
            _occupied += busTime;
            return _freeAt;
        }
    }
}
