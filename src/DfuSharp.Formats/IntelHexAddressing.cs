namespace DfuSharp.Formats;

/// <summary>How an Intel HEX file reaches addresses above 0xFFFF.</summary>
public enum IntelHexAddressing
{
    /// <summary>No extended address records: 16-bit addresses only.</summary>
    Bits16 = 0,

    /// <summary>Extended Segment Address records (02): 20-bit addresses; a record's offset wraps inside its 64 KiB segment.</summary>
    Segment,

    /// <summary>Extended Linear Address records (04): 32-bit addresses, continuing across 64 KiB boundaries.</summary>
    Linear,

    /// <summary>Both 02 and 04 records (read only): each data record uses the most recent one.</summary>
    Mixed,
}
