using DfuSharp.Protocol;

namespace DfuSharp;

/// <summary>
/// The exception thrown when a device reports bStatus other than OK. It carries the status report, the request that
/// failed, and the block number or address involved.
/// </summary>
public class DfuStatusException : DfuException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuStatusException()
        : base("The device reported an error.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What failed.</param>
    public DfuStatusException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DfuStatusException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance from the device's status report.</summary>
    /// <param name="report">The GETSTATUS reply that carried the error.</param>
    /// <param name="request">The request that led to it.</param>
    /// <param name="context">What was being done, for example <c>Writing block 7 at 0x08000000</c>.</param>
    /// <param name="statusText">The text of the device's iString, if it was read.</param>
    public DfuStatusException(DfuStatusReport report, DfuRequest request, string context, string? statusText = null)
        : base($"{context}: the device reported {report.Status.ToSpecName()} in {report.State.ToSpecName()} " +
               $"({report.Status.Describe()}){(statusText is { Length: > 0 } ? $" \"{statusText}\"" : string.Empty)}")
    {
        Status = report.Status;
        State = report.State;
        Request = request;
        StatusText = statusText;
    }

    /// <summary>Gets bStatus.</summary>
    public DfuStatus Status { get; }

    /// <summary>Gets bState at the time of the error.</summary>
    public DfuState State { get; }

    /// <summary>Gets the request that led to the error.</summary>
    public DfuRequest Request { get; }

    /// <summary>Gets the device's description of the error (iString), if any.</summary>
    public string? StatusText { get; }

    /// <summary>Gets the DFU block number involved, if any.</summary>
    public int? Block { get; init; }

    /// <summary>Gets the memory address involved (DfuSe), if any.</summary>
    public uint? Address { get; init; }
}
