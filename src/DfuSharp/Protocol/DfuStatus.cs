namespace DfuSharp.Protocol;

/// <summary>The status codes of DFU 1.1 §6.1.2 (Table 6.1), the values of bStatus.</summary>
public enum DfuStatus : byte
{
    /// <summary>OK: no error.</summary>
    Ok = 0x00,

    /// <summary>errTARGET: the file is not targeted for this device.</summary>
    ErrTarget = 0x01,

    /// <summary>errFILE: the file is for this device but fails a vendor-specific check.</summary>
    ErrFile = 0x02,

    /// <summary>errWRITE: the device cannot write memory.</summary>
    ErrWrite = 0x03,

    /// <summary>errERASE: memory erase failed.</summary>
    ErrErase = 0x04,

    /// <summary>errCHECK_ERASED: the memory erase check failed.</summary>
    ErrCheckErased = 0x05,

    /// <summary>errPROG: the program memory function failed.</summary>
    ErrProg = 0x06,

    /// <summary>errVERIFY: the programmed memory failed verification.</summary>
    ErrVerify = 0x07,

    /// <summary>errADDRESS: an address is out of range.</summary>
    ErrAddress = 0x08,

    /// <summary>errNOTDONE: DFU_DNLOAD with wLength 0 arrived but the device thinks the firmware is incomplete.</summary>
    ErrNotDone = 0x09,

    /// <summary>errFIRMWARE: the firmware is corrupt; the device cannot return to run-time operation.</summary>
    ErrFirmware = 0x0A,

    /// <summary>errVENDOR: a vendor-specific error; iString describes it.</summary>
    ErrVendor = 0x0B,

    /// <summary>errUSBR: an unexpected USB reset was detected.</summary>
    ErrUsbr = 0x0C,

    /// <summary>errPOR: an unexpected power-on reset was detected.</summary>
    ErrPor = 0x0D,

    /// <summary>errUNKNOWN: something went wrong, but the device does not know what.</summary>
    ErrUnknown = 0x0E,

    /// <summary>errSTALLEDPKT: the device stalled an unexpected request.</summary>
    ErrStalledPkt = 0x0F,
}

/// <summary>Spec spellings and descriptions of <see cref="DfuStatus"/> values for messages.</summary>
public static class DfuStatusNames
{
    /// <summary>Returns the spec's name of a status, such as <c>errVERIFY</c>.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The name, or <c>status 0xNN</c> for a value the spec does not define.</returns>
    public static string ToSpecName(this DfuStatus status) => status switch
    {
        DfuStatus.Ok => "OK",
        DfuStatus.ErrTarget => "errTARGET",
        DfuStatus.ErrFile => "errFILE",
        DfuStatus.ErrWrite => "errWRITE",
        DfuStatus.ErrErase => "errERASE",
        DfuStatus.ErrCheckErased => "errCHECK_ERASED",
        DfuStatus.ErrProg => "errPROG",
        DfuStatus.ErrVerify => "errVERIFY",
        DfuStatus.ErrAddress => "errADDRESS",
        DfuStatus.ErrNotDone => "errNOTDONE",
        DfuStatus.ErrFirmware => "errFIRMWARE",
        DfuStatus.ErrVendor => "errVENDOR",
        DfuStatus.ErrUsbr => "errUSBR",
        DfuStatus.ErrPor => "errPOR",
        DfuStatus.ErrUnknown => "errUNKNOWN",
        DfuStatus.ErrStalledPkt => "errSTALLEDPKT",
        _ => $"status 0x{(byte)status:X2}",
    };

    /// <summary>Returns the spec's description of a status (DFU 1.1 Table 6.1).</summary>
    /// <param name="status">The status.</param>
    /// <returns>A short English description.</returns>
    public static string Describe(this DfuStatus status) => status switch
    {
        DfuStatus.Ok => "No error condition is present.",
        DfuStatus.ErrTarget => "File is not targeted for use by this device.",
        DfuStatus.ErrFile => "File is for this device but fails some vendor-specific verification test.",
        DfuStatus.ErrWrite => "Device is unable to write memory.",
        DfuStatus.ErrErase => "Memory erase function failed.",
        DfuStatus.ErrCheckErased => "Memory erase check failed.",
        DfuStatus.ErrProg => "Program memory function failed.",
        DfuStatus.ErrVerify => "Programmed memory failed verification.",
        DfuStatus.ErrAddress => "Cannot program memory due to received address that is out of range.",
        DfuStatus.ErrNotDone => "Received DFU_DNLOAD with wLength = 0, but device does not think it has all of the data yet.",
        DfuStatus.ErrFirmware => "Device's firmware is corrupt. It cannot return to run-time (non-DFU) operations.",
        DfuStatus.ErrVendor => "iString indicates a vendor-specific error.",
        DfuStatus.ErrUsbr => "Device detected unexpected USB reset signaling.",
        DfuStatus.ErrPor => "Device detected unexpected power on reset.",
        DfuStatus.ErrUnknown => "Something went wrong, but the device does not know what it was.",
        DfuStatus.ErrStalledPkt => "Device stalled an unexpected request.",
        _ => "Unknown status code.",
    };
}
