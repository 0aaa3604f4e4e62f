using System.Text.Json.Serialization;

namespace DfuSharp.Planning;

/// <summary>What one step of a <see cref="TransferPlan"/> does. Each kind is one fixed sequence of requests.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TransferStepKind>))]
public enum TransferStepKind
{
    /// <summary>Select the alternate setting in <see cref="TransferStep.AlternateSetting"/> (SET_INTERFACE), unless it
    /// is already selected.</summary>
    SelectAlternateSetting,

    /// <summary>Switch a run-time device to DFU mode (DFU_DETACH, or ST's HID DETACH report; a USB reset when
    /// bitWillDetach is clear) and wait for it to enumerate in DFU mode (DFU 1.1 §5.1). Only a plan made in run-time
    /// mode has it: the download plans again from the bootloader's descriptors after the detach.</summary>
    Detach,

    /// <summary>DfuSe: read <see cref="TransferStep.Length"/> bytes from <see cref="TransferStep.Address"/> into the
    /// backup: Set Address Pointer, DFU_ABORT, DFU_UPLOAD from block <see cref="TransferStep.Block"/>, DFU_ABORT
    /// (ST AN3156 §6.2.2).</summary>
    Backup,

    /// <summary>Plain DFU: read the whole firmware into the backup: DFU_UPLOAD from block 0 until a short frame
    /// (DFU 1.1 §6.2).</summary>
    BackupFirmware,

    /// <summary>DfuSe Erase of the sector at <see cref="TransferStep.Address"/> (ST AN3156 §6.3.3).</summary>
    Erase,

    /// <summary>DfuSe Mass Erase (ST AN3156 §6.3.3, the Erase command without an address).</summary>
    MassErase,

    /// <summary>DfuSe Set Address Pointer to <see cref="TransferStep.Address"/> (ST AN3156 §6.3.2).</summary>
    SetAddress,

    /// <summary>DFU_DNLOAD of <see cref="TransferStep.Length"/> bytes as block <see cref="TransferStep.Block"/>.
    /// For DfuSe the bytes go to <see cref="TransferStep.Address"/>; for plain DFU, Address is the offset in the firmware.</summary>
    Write,

    /// <summary>The zero-length DFU_DNLOAD with block <see cref="TransferStep.Block"/> that ends a plain DFU download,
    /// then manifestation (DFU 1.1 §7).</summary>
    Manifest,

    /// <summary>A USB reset of a device waiting in dfuMANIFEST-WAIT-RESET (DFU 1.1 §7); the session closes.</summary>
    ResetAfterManifest,

    /// <summary>Wait for the same board to enumerate again and open it; a board that comes back in run-time mode is
    /// detached into DFU mode again.</summary>
    Reenumerate,

    /// <summary>DfuSe: read back <see cref="TransferStep.Length"/> bytes from <see cref="TransferStep.Address"/> and
    /// compare, as <see cref="Backup"/> reads.</summary>
    Verify,

    /// <summary>Plain DFU: read back <see cref="TransferStep.Length"/> bytes from block 0 and compare.</summary>
    VerifyFirmware,

    /// <summary>Bring the device back to dfuIDLE (DFU_GETSTATUS, DFU_ABORT out of dfuDNLOAD-IDLE).</summary>
    Abort,

    /// <summary>DfuSe Leave: Set Address Pointer to <see cref="TransferStep.Address"/>, a zero-length DFU_DNLOAD, and
    /// the GETSTATUS that starts the jump (ST AN3156 §6.3.5); the session closes.</summary>
    DfuSeLeave,

    /// <summary>A USB reset, so that a plain DFU device runs its new firmware (DFU 1.1 §7); the session closes.</summary>
    UsbReset,

    /// <summary>DfuSe: read back the <see cref="TransferStep.Length"/> bytes of a sector the plan would erase, from
    /// <see cref="TransferStep.Address"/>, as <see cref="Backup"/> reads, to compare them with what the sector holds
    /// after the download (<see cref="DownloadOptions.SkipUnchanged"/>). Only in <see cref="TransferPlan.Check"/>, the
    /// read pass that runs before the steps; it changes nothing on the device.</summary>
    Check,

    /// <summary>No request: the read-back found that the sector at <see cref="TransferStep.Address"/> (of
    /// <see cref="TransferStep.Length"/> bytes) already holds exactly what the download would leave there, so its erase
    /// and its writes were dropped from the plan (<see cref="TransferPlanner.ApplyReadBack"/>).</summary>
    Keep,
}

/// <summary>One step of a <see cref="TransferPlan"/>.</summary>
/// <param name="Kind">What the step does.</param>
/// <param name="AlternateSetting">The alternate setting the step runs on.</param>
/// <param name="Address">The memory address (DfuSe) or the offset in the firmware (plain DFU).</param>
/// <param name="Length">The number of bytes written, read or erased.</param>
/// <param name="Block">wBlockNum of a <see cref="TransferStepKind.Write"/> or <see cref="TransferStepKind.Manifest"/>,
/// or the first DFU_UPLOAD block of a DfuSe read.</param>
public readonly record struct TransferStep(
    TransferStepKind Kind, byte AlternateSetting, uint Address = 0, int Length = 0, ushort Block = 0)
{
    /// <summary>Makes a <see cref="TransferStepKind.SelectAlternateSetting"/> step.</summary>
    /// <param name="alternateSetting">The setting.</param>
    /// <returns>The step.</returns>
    public static TransferStep Select(byte alternateSetting) => new(TransferStepKind.SelectAlternateSetting, alternateSetting);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        TransferStepKind.SelectAlternateSetting => $"alt {AlternateSetting}",
        TransferStepKind.MassErase => "mass-erase",
        TransferStepKind.Manifest => $"manifest block {Block}",
        TransferStepKind.BackupFirmware => "backup firmware",
        TransferStepKind.ResetAfterManifest => "reset-after-manifest",
        TransferStepKind.Reenumerate => "re-enumerate",
        TransferStepKind.Detach => "detach",
        TransferStepKind.Abort => "abort",
        TransferStepKind.UsbReset => "usb-reset",
        TransferStepKind.DfuSeLeave => $"leave 0x{Address:X8}",
        TransferStepKind.SetAddress => $"set-address 0x{Address:X8}",
        TransferStepKind.Write => $"write block {Block} 0x{Address:X8} +{Length}",
        TransferStepKind.VerifyFirmware => $"verify firmware +{Length}",
        TransferStepKind.Keep => $"keep 0x{Address:X8} +{Length} (unchanged: not erased, not written)",
        _ => $"{Kind.ToString().ToLowerInvariant()} 0x{Address:X8} +{Length}",
    };
}
