namespace DfuSharp.Protocol;

/// <summary>The DFU class requests (DFU 1.1 §3, Table 3.2), the values of bRequest.</summary>
public enum DfuRequest : byte
{
    /// <summary>DFU_DETACH: leave run-time mode for DFU mode.</summary>
    Detach = 0,

    /// <summary>DFU_DNLOAD: send a block of firmware (host → device); DfuSe also sends commands in block 0.</summary>
    Dnload = 1,

    /// <summary>DFU_UPLOAD: read a block of firmware (device → host).</summary>
    Upload = 2,

    /// <summary>DFU_GETSTATUS: read bStatus, bwPollTimeout, bState and iString.</summary>
    GetStatus = 3,

    /// <summary>DFU_CLRSTATUS: leave dfuERROR for dfuIDLE.</summary>
    ClrStatus = 4,

    /// <summary>DFU_GETSTATE: read bState only.</summary>
    GetState = 5,

    /// <summary>DFU_ABORT: return to dfuIDLE from an idle state.</summary>
    Abort = 6,
}
