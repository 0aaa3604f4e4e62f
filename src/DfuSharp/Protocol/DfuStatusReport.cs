using System.Buffers.Binary;

namespace DfuSharp.Protocol;

/// <summary>The 6-byte reply to DFU_GETSTATUS (DFU 1.1 §6.1.2).</summary>
/// <param name="Status">bStatus.</param>
/// <param name="PollTimeout">bwPollTimeout: the 24-bit time in milliseconds the host waits before the next DFU_GETSTATUS.</param>
/// <param name="State">bState.</param>
/// <param name="StringIndex">iString: a string descriptor describing the status, or 0.</param>
public readonly record struct DfuStatusReport(DfuStatus Status, uint PollTimeout, DfuState State, byte StringIndex)
{
    /// <summary>The length of the reply in bytes.</summary>
    public const int Size = 6;

    /// <summary>The largest value bwPollTimeout can hold (24 bits).</summary>
    public const uint MaxPollTimeout = 0xFF_FFFF;

    /// <summary>Parses a GETSTATUS reply.</summary>
    /// <param name="reply">Exactly 6 bytes.</param>
    /// <returns>The report.</returns>
    /// <exception cref="DfuProtocolException">The reply is not 6 bytes long.</exception>
    public static DfuStatusReport Parse(ReadOnlySpan<byte> reply)
    {
        if (reply.Length != Size)
        {
            throw new DfuProtocolException($"DFU_GETSTATUS returned {reply.Length} bytes; DFU 1.1 §6.1.2 requires 6.");
        }

        uint poll = (uint)(reply[1] | (reply[2] << 8) | (reply[3] << 16));
        return new DfuStatusReport((DfuStatus)reply[0], poll, (DfuState)reply[4], reply[5]);
    }

    /// <summary>Writes the 6-byte reply.</summary>
    /// <param name="destination">At least 6 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="PollTimeout"/> does not fit in 24 bits.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("A DFU_GETSTATUS reply needs 6 bytes.", nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(PollTimeout, MaxPollTimeout);
        destination[0] = (byte)Status;
        destination[1] = (byte)PollTimeout;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)(PollTimeout >> 8));
        destination[4] = (byte)State;
        destination[5] = StringIndex;
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"{Status.ToSpecName()}, {State.ToSpecName()}, poll {PollTimeout} ms";
}
