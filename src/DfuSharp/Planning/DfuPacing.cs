using System.Text.Json.Serialization;

namespace DfuSharp.Planning;

/// <summary>How the host paces DFU_GETSTATUS while the device is busy (DFU 1.1 §6.1.2: bwPollTimeout is the least
/// time before the next GETSTATUS).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DfuPacing>))]
public enum DfuPacing
{
    /// <summary>Learn from the device: wait the busy time measured for each kind of operation (write, erase,
    /// command, manifestation), never more than bwPollTimeout. A STALL or pipe error from an early poll makes the
    /// session fall back to <see cref="Spec"/>. A device whose quirks say it holds GETSTATUS while busy starts with no wait.</summary>
    Adaptive,

    /// <summary>Wait the reported bwPollTimeout before every GETSTATUS, as DFU 1.1 asks.</summary>
    Spec,

    /// <summary>Send GETSTATUS at once and let the device hold (NAK) its status stage until the operation ends; the
    /// request timeout covers the longest operation.</summary>
    Hold,
}

/// <summary>How a DfuSe download sets the address pointer (ST AN3156 §6.3.2, §6.3.6).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DfuAddressing>))]
public enum DfuAddressing
{
    /// <summary>Set Address Pointer before every block, written as block 2.</summary>
    PerChunk,

    /// <summary>One Set Address Pointer per contiguous run of full-size blocks, numbered 2, 3, 4…: ST's ROM computes
    /// the address as pointer + (wBlockNum − 2) × wLength, so the pointer is set again before a short block and before
    /// wBlockNum would wrap (vitalyvb/usbd-dfu#6, #8).</summary>
    AddressOnce,
}
