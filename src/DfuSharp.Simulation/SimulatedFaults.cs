using System.Collections.Immutable;
using DfuSharp.Protocol;

namespace DfuSharp.Simulation;

/// <summary>The kinds of fault a simulated device can inject.</summary>
public enum SimulatedFaultKind
{
    /// <summary>STALL the Nth request of a kind (and enter dfuERROR with errSTALLEDPKT).</summary>
    StallRequest = 0,

    /// <summary>STALL the DNLOAD of a data block.</summary>
    StallAtBlock,

    /// <summary>Report an error status after programming a data block.</summary>
    StatusAtBlock,

    /// <summary>DFU_GETSTATUS never answers (the transfer times out).</summary>
    GetStatusNeverAnswers,

    /// <summary>The device drops off the bus when a data block arrives.</summary>
    DisconnectAtBlock,

    /// <summary>The device drops off the bus while erasing.</summary>
    DisconnectDuringErase,

    /// <summary>The device drops off the bus before answering the DFU_GETSTATUS that starts manifestation or leave.</summary>
    DisconnectAtLeave,

    /// <summary>DFU_GETSTATUS reports a state other than the real one.</summary>
    WrongState,

    /// <summary>Every bwPollTimeout is replaced by a fixed value (0, or huge).</summary>
    PollTimeout,

    /// <summary>The device accepts smaller blocks than the wTransferSize it advertises.</summary>
    RealTransferSize,

    /// <summary>A written block is stored with one bit flipped, and success is reported.</summary>
    CorruptWrite,
}

/// <summary>
/// One injected fault. Data blocks are counted from 0 in the order the device receives them (DfuSe commands in
/// block 0 are not data blocks), across the device's whole life.
/// </summary>
public sealed record SimulatedFault
{
    private SimulatedFault(SimulatedFaultKind kind) => Kind = kind;

    /// <summary>Gets the kind of fault.</summary>
    public SimulatedFaultKind Kind { get; }

    /// <summary>Gets the request concerned (<see cref="SimulatedFaultKind.StallRequest"/>).</summary>
    public DfuRequest Request { get; private init; }

    /// <summary>Gets which occurrence is hit, counting from 1; 0 means every one.</summary>
    public int Occurrence { get; private init; }

    /// <summary>Gets the data block concerned, or <see langword="null"/> for every block (or from the start).</summary>
    public int? DataBlock { get; private init; }

    /// <summary>Gets the status to report (<see cref="SimulatedFaultKind.StatusAtBlock"/>).</summary>
    public DfuStatus Status { get; private init; }

    /// <summary>Gets the text of the iString reported with the status, or <see langword="null"/> for none.</summary>
    public string? StatusText { get; private init; }

    /// <summary>Gets the state to report (<see cref="SimulatedFaultKind.WrongState"/>).</summary>
    public DfuState State { get; private init; }

    /// <summary>Gets the bwPollTimeout to report (<see cref="SimulatedFaultKind.PollTimeout"/>).</summary>
    public uint PollTimeout { get; private init; }

    /// <summary>Gets the real transfer size (<see cref="SimulatedFaultKind.RealTransferSize"/>).</summary>
    public ushort TransferSize { get; private init; }

    /// <summary>STALLs the <paramref name="occurrence"/>th request of a kind (0: every one) and enters dfuERROR.</summary>
    /// <param name="request">The request.</param>
    /// <param name="occurrence">Which occurrence, from 1; 0 for every one.</param>
    /// <returns>The fault.</returns>
    public static SimulatedFault StallRequest(DfuRequest request, int occurrence = 1)
        => new(SimulatedFaultKind.StallRequest) { Request = request, Occurrence = occurrence };

    /// <summary>STALLs the DNLOAD of data block <paramref name="dataBlock"/> and enters dfuERROR with errSTALLEDPKT.</summary>
    /// <param name="dataBlock">The data block, from 0.</param>
    /// <returns>The fault.</returns>
    public static SimulatedFault StallAtBlock(int dataBlock)
        => new(SimulatedFaultKind.StallAtBlock) { DataBlock = dataBlock };

    /// <summary>Reports <paramref name="status"/> (after the busy time) for data block <paramref name="dataBlock"/>.</summary>
    /// <param name="dataBlock">The data block, from 0.</param>
    /// <param name="status">The status (errWRITE, errVERIFY, errTARGET, errVENDOR, errCHECK_ERASED, …).</param>
    /// <param name="text">The iString text reported with it, or <see langword="null"/>.</param>
    /// <returns>The fault.</returns>
    public static SimulatedFault StatusAtBlock(int dataBlock, DfuStatus status, string? text = null)
        => new(SimulatedFaultKind.StatusAtBlock) { DataBlock = dataBlock, Status = status, StatusText = text };

    /// <summary>Makes every DFU_GETSTATUS time out, from the start or once data block <paramref name="afterDataBlock"/> has arrived.</summary>
    /// <param name="afterDataBlock">The data block after which GETSTATUS stops answering, or <see langword="null"/> for always.</param>
    /// <returns>The fault.</returns>
    public static SimulatedFault GetStatusNeverAnswers(int? afterDataBlock = null)
        => new(SimulatedFaultKind.GetStatusNeverAnswers) { DataBlock = afterDataBlock };

    /// <summary>Drops the device off the bus when data block <paramref name="dataBlock"/> arrives (the block is lost).</summary>
    /// <param name="dataBlock">The data block, from 0.</param>
    /// <returns>The fault.</returns>
    public static SimulatedFault DisconnectAtBlock(int dataBlock)
        => new(SimulatedFaultKind.DisconnectAtBlock) { DataBlock = dataBlock };

    /// <summary>Drops the device off the bus during the <paramref name="occurrence"/>th erase (sector or mass).</summary>
    /// <param name="occurrence">Which erase, from 1.</param>
    /// <returns>The fault.</returns>
    public static SimulatedFault DisconnectDuringErase(int occurrence = 1)
        => new(SimulatedFaultKind.DisconnectDuringErase) { Occurrence = occurrence };

    /// <summary>Drops the device off the bus instead of answering the DFU_GETSTATUS that starts manifestation or leave.</summary>
    /// <returns>The fault.</returns>
    public static SimulatedFault DisconnectAtLeave() => new(SimulatedFaultKind.DisconnectAtLeave);

    /// <summary>Makes DFU_GETSTATUS report <paramref name="state"/> instead of the real state.</summary>
    /// <param name="state">The state to report.</param>
    /// <param name="afterDataBlock">
    /// Only the first GETSTATUS after this data block lies; <see langword="null"/> makes every GETSTATUS lie.
    /// </param>
    /// <returns>The fault.</returns>
    public static SimulatedFault WrongState(DfuState state, int? afterDataBlock = null)
        => new(SimulatedFaultKind.WrongState) { State = state, DataBlock = afterDataBlock };

    /// <summary>Replaces every reported bwPollTimeout by <paramref name="milliseconds"/> (the real busy time is unchanged).</summary>
    /// <param name="milliseconds">The value to report, at most 0xFFFFFF.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="milliseconds"/> does not fit in 24 bits.</exception>
    public static SimulatedFault PollTimeoutOf(uint milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(milliseconds, DfuStatusReport.MaxPollTimeout);
        return new(SimulatedFaultKind.PollTimeout) { PollTimeout = milliseconds };
    }

    /// <summary>Makes the device STALL DNLOAD and UPLOAD requests longer than <paramref name="transferSize"/>.</summary>
    /// <param name="transferSize">The real transfer size, smaller than the advertised wTransferSize.</param>
    /// <returns>The fault.</returns>
    public static SimulatedFault RealTransferSize(ushort transferSize)
        => new(SimulatedFaultKind.RealTransferSize) { TransferSize = transferSize };

    /// <summary>Flips one bit of data block <paramref name="dataBlock"/> (or of every block) as it is stored, and reports success.</summary>
    /// <param name="dataBlock">The data block, from 0, or <see langword="null"/> for every block.</param>
    /// <returns>The fault.</returns>
    public static SimulatedFault CorruptWrite(int? dataBlock = null)
        => new(SimulatedFaultKind.CorruptWrite) { DataBlock = dataBlock };
}

/// <summary>A set of faults injected together.</summary>
public sealed record SimulatedFaults
{
    /// <summary>Gets the empty set.</summary>
    public static SimulatedFaults None { get; } = new();

    /// <summary>Gets the faults.</summary>
    public ImmutableArray<SimulatedFault> Items { get; init; } = [];

    /// <summary>Creates a set of faults.</summary>
    /// <param name="faults">The faults.</param>
    /// <returns>The set.</returns>
    public static SimulatedFaults Of(params SimulatedFault[] faults) => new() { Items = [.. faults] };

    /// <summary>Returns this set with one more fault.</summary>
    /// <param name="fault">The fault to add.</param>
    /// <returns>The new set.</returns>
    public SimulatedFaults And(SimulatedFault fault) => this with { Items = Items.Add(fault) };

    /// <summary>Returns the faults of a kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The matching faults.</returns>
    public IEnumerable<SimulatedFault> OfKind(SimulatedFaultKind kind) => Items.Where(f => f.Kind == kind);

    /// <inheritdoc/>
    public bool Equals(SimulatedFaults? other) => other is not null && Items.SequenceEqual(other.Items);

    /// <inheritdoc/>
    public override int GetHashCode() => Items.Length;
}
