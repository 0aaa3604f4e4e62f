using System.Globalization;
using System.Text;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>One request a simulated device received (or a bus event), and what it did.</summary>
/// <param name="Time">When it arrived, relative to the device's creation.</param>
/// <param name="Name">The request's name (<c>DFU_DNLOAD</c>, <c>GET_DESCRIPTOR</c>, <c>BUS_RESET</c>, …).</param>
/// <param name="Setup">The SETUP packet, or <see langword="null"/> for a bus event.</param>
/// <param name="OutLength">The number of OUT data bytes.</param>
/// <param name="InLength">The number of IN data bytes the device sent.</param>
/// <param name="Result">How the transfer ended.</param>
/// <param name="Reenumerate">Whether the device left the bus after it.</param>
/// <param name="State">bState after the request.</param>
/// <param name="Status">bStatus after the request.</param>
/// <param name="Detail">What the request meant to the device (a DfuSe command, a block address, a poll timeout), or empty.</param>
public sealed record TranscriptEntry(
    TimeSpan Time,
    string Name,
    UsbSetupPacket? Setup,
    int OutLength,
    int InLength,
    SimulatedControlStatus Result,
    bool Reenumerate,
    DfuState State,
    DfuStatus Status,
    string Detail)
{
    /// <summary>Gets a value indicating whether this is a DFU class request.</summary>
    public bool IsDfuRequest => Setup is { } s && s.Type == UsbRequestType.Class;

    /// <summary>Renders the entry as one stable line (without the time, so that pacing does not change it).</summary>
    /// <returns>The line.</returns>
    public override string ToString()
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{Name,-15}");
        line.Append(Setup is { } s ? s.ToString() : "--------------------");
        line.Append(CultureInfo.InvariantCulture, $" out={OutLength,-4} in={InLength,-4} -> {ResultName(Result)}");
        line.Append(CultureInfo.InvariantCulture, $" {State.ToSpecName()} {Status.ToSpecName()}");
        if (Reenumerate)
        {
            line.Append(" re-enumerate");
        }

        if (Detail.Length > 0)
        {
            line.Append(" | ").Append(Detail);
        }

        return line.ToString();
    }

    private static string ResultName(SimulatedControlStatus result) => result switch
    {
        SimulatedControlStatus.Ack => "ACK",
        SimulatedControlStatus.Stall => "STALL",
        SimulatedControlStatus.NoDevice => "NODEV",
        _ => "TIMEOUT",
    };
}

/// <summary>The record of every request a simulated device received, for golden tests. Thread-safe.</summary>
public sealed class Transcript
{
    private readonly Lock _gate = new();
    private readonly List<TranscriptEntry> _entries = [];

    /// <summary>Gets a snapshot of the entries, oldest first.</summary>
    public IReadOnlyList<TranscriptEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>Gets the number of entries.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    /// <summary>Renders the transcript, one line per entry, lines ending in '\n'.</summary>
    /// <param name="dfuRequestsOnly"><see langword="true"/> to leave out standard requests (descriptors, SET_INTERFACE, …) but keep bus events.</param>
    /// <returns>The text.</returns>
    public string Render(bool dfuRequestsOnly = false)
    {
        var text = new StringBuilder();
        foreach (TranscriptEntry entry in Entries)
        {
            if (!dfuRequestsOnly || entry.IsDfuRequest || entry.Setup is null)
            {
                text.Append(entry).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => Render();

    internal void Add(TranscriptEntry entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }
}
