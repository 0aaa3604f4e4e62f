using System.Text.Json.Serialization;

namespace DfuSharp.Planning;

/// <summary>What one step of a <see cref="TransferPlan"/> does.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TransferStepKind>))]
public enum TransferStepKind
{
    /// <summary>Select the alternate setting in <see cref="TransferStep.AlternateSetting"/> (SET_INTERFACE).</summary>
    SelectAlternateSetting,

    /// <summary>DfuSe Erase of the sector at <see cref="TransferStep.Address"/> (ST AN3156 §6.3.3).</summary>
    Erase,

    /// <summary>DfuSe Mass Erase (ST AN3156 §6.3.3, the Erase command without an address).</summary>
    MassErase,

    /// <summary>DfuSe Set Address Pointer to <see cref="TransferStep.Address"/> (ST AN3156 §6.3.2).</summary>
    SetAddress,

    /// <summary>DFU_DNLOAD of <see cref="TransferStep.Length"/> bytes as block <see cref="TransferStep.Block"/>.
    /// For DfuSe the bytes go to <see cref="TransferStep.Address"/>; for plain DFU, Address is the offset in the firmware.</summary>
    Write,

    /// <summary>The zero-length DFU_DNLOAD that ends a plain DFU download, then manifestation (DFU 1.1 §7).</summary>
    Manifest,

    /// <summary>Read back <see cref="TransferStep.Length"/> bytes from <see cref="TransferStep.Address"/> and compare.</summary>
    Verify,

    /// <summary>DfuSe Leave: Set Address Pointer to <see cref="TransferStep.Address"/>, a zero-length DFU_DNLOAD, and the
    /// GETSTATUS that starts the jump (ST AN3156 §6.3.5). Plain DFU: a USB reset, so the device runs the new firmware.</summary>
    Leave,
}

/// <summary>One step of a <see cref="TransferPlan"/>.</summary>
/// <param name="Kind">What the step does.</param>
/// <param name="AlternateSetting">The alternate setting the step runs on.</param>
/// <param name="Address">The memory address (DfuSe) or the offset in the firmware (plain DFU).</param>
/// <param name="Length">The number of bytes written, verified or erased.</param>
/// <param name="Block">wBlockNum of a <see cref="TransferStepKind.Write"/>.</param>
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
        TransferStepKind.Manifest => "manifest",
        TransferStepKind.Write => $"write block {Block} 0x{Address:X8} +{Length}",
        _ => $"{Kind.ToString().ToLowerInvariant()} 0x{Address:X8} +{Length}",
    };
}
