namespace DfuSharp.Protocol;

/// <summary>The device states of DFU 1.1 §6.1.2 (Table 6.2), the values of bState.</summary>
public enum DfuState : byte
{
    /// <summary>appIDLE: run-time mode, operating normally.</summary>
    AppIdle = 0,

    /// <summary>appDETACH: DFU_DETACH received; waiting for a USB reset.</summary>
    AppDetach = 1,

    /// <summary>dfuIDLE: DFU mode, waiting for requests.</summary>
    DfuIdle = 2,

    /// <summary>dfuDNLOAD-SYNC: a block was received; waiting for DFU_GETSTATUS.</summary>
    DfuDnloadSync = 3,

    /// <summary>dfuDNBUSY: programming a block; the host waits bwPollTimeout.</summary>
    DfuDnbusy = 4,

    /// <summary>dfuDNLOAD-IDLE: waiting for the next block.</summary>
    DfuDnloadIdle = 5,

    /// <summary>dfuMANIFEST-SYNC: the last block was received; waiting for DFU_GETSTATUS to start manifestation.</summary>
    DfuManifestSync = 6,

    /// <summary>dfuMANIFEST: manifestation in progress.</summary>
    DfuManifest = 7,

    /// <summary>dfuMANIFEST-WAIT-RESET: manifested; waiting for a USB reset (not manifestation tolerant).</summary>
    DfuManifestWaitReset = 8,

    /// <summary>dfuUPLOAD-IDLE: an upload is in progress.</summary>
    DfuUploadIdle = 9,

    /// <summary>dfuERROR: an error occurred; DFU_CLRSTATUS is needed.</summary>
    DfuError = 10,
}

/// <summary>Spec spellings of <see cref="DfuState"/> values for messages.</summary>
public static class DfuStateNames
{
    /// <summary>Returns the spec's name of a state, such as <c>dfuDNLOAD-IDLE</c>.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The name, or <c>state N</c> for a value the spec does not define.</returns>
    public static string ToSpecName(this DfuState state) => state switch
    {
        DfuState.AppIdle => "appIDLE",
        DfuState.AppDetach => "appDETACH",
        DfuState.DfuIdle => "dfuIDLE",
        DfuState.DfuDnloadSync => "dfuDNLOAD-SYNC",
        DfuState.DfuDnbusy => "dfuDNBUSY",
        DfuState.DfuDnloadIdle => "dfuDNLOAD-IDLE",
        DfuState.DfuManifestSync => "dfuMANIFEST-SYNC",
        DfuState.DfuManifest => "dfuMANIFEST",
        DfuState.DfuManifestWaitReset => "dfuMANIFEST-WAIT-RESET",
        DfuState.DfuUploadIdle => "dfuUPLOAD-IDLE",
        DfuState.DfuError => "dfuERROR",
        _ => $"state {(byte)state}",
    };
}
