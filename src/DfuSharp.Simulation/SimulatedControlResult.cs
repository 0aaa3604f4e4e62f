namespace DfuSharp.Simulation;

/// <summary>How a simulated device ended a control transfer.</summary>
public enum SimulatedControlStatus
{
    /// <summary>The transfer completed (ACK in the status stage).</summary>
    Ack = 0,

    /// <summary>The device answered with a STALL handshake.</summary>
    Stall,

    /// <summary>The device is not on the bus (unplugged, resetting or re-enumerating).</summary>
    NoDevice,

    /// <summary>The device never answered (it NAKs until the host's timeout expires).</summary>
    Timeout,
}

/// <summary>The device side's answer to one control transfer or bus event.</summary>
/// <param name="Status">How the transfer ended.</param>
/// <param name="Data">The IN data stage (at most wLength bytes); empty for OUT transfers.</param>
/// <param name="Reenumerate">
/// <see langword="true"/> when the device leaves the bus right after this transfer and comes back later, possibly with a
/// new identity (DFU_DETACH with bitWillDetach, DfuSe leave, a reset after DFU_DETACH, an injected disconnect).
/// </param>
public readonly record struct SimulatedControlResult(SimulatedControlStatus Status, ReadOnlyMemory<byte> Data, bool Reenumerate)
{
    /// <summary>Gets an ACK without data.</summary>
    public static SimulatedControlResult Ack => new(SimulatedControlStatus.Ack, ReadOnlyMemory<byte>.Empty, false);

    /// <summary>Gets a STALL.</summary>
    public static SimulatedControlResult Stall => new(SimulatedControlStatus.Stall, ReadOnlyMemory<byte>.Empty, false);

    /// <summary>Gets the answer of a device that is not on the bus.</summary>
    public static SimulatedControlResult NoDevice => new(SimulatedControlStatus.NoDevice, ReadOnlyMemory<byte>.Empty, false);

    /// <summary>Gets the answer of a device that never completes the transfer.</summary>
    public static SimulatedControlResult Timeout => new(SimulatedControlStatus.Timeout, ReadOnlyMemory<byte>.Empty, false);

    /// <summary>Creates an ACK with an IN data stage.</summary>
    /// <param name="data">The data.</param>
    /// <returns>The result.</returns>
    public static SimulatedControlResult AckWith(ReadOnlyMemory<byte> data) => new(SimulatedControlStatus.Ack, data, false);

    /// <summary>Gets a value indicating whether the transfer completed.</summary>
    public bool IsAck => Status == SimulatedControlStatus.Ack;

    /// <inheritdoc/>
    public bool Equals(SimulatedControlResult other)
        => Status == other.Status && Reenumerate == other.Reenumerate && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Status, Reenumerate, Data.Length);
}
