namespace DfuSharp.Formats;

/// <summary>
/// A .dfu file: an optional vendor prefix, the firmware, and the DFU suffix. When the firmware is an ST DfuSe body,
/// <see cref="DfuSe"/> holds its parsed targets.
/// </summary>
public sealed record DfuFile
{
    /// <summary>Gets the vendor prefix, or <see langword="null"/>.</summary>
    public DfuPrefix? Prefix { get; init; }

    /// <summary>
    /// Gets the bytes sent to a plain DFU device: everything between the prefix and the suffix. For a DfuSe file this
    /// is the whole DfuSe body (prefix, targets, elements).
    /// </summary>
    public ReadOnlyMemory<byte> Firmware { get; init; }

    /// <summary>Gets the suffix, or <see langword="null"/> for a raw file read with a policy that allows it to be absent.</summary>
    public DfuSuffix? Suffix { get; init; }

    /// <summary>Gets the parsed DfuSe body, or <see langword="null"/> for a plain DFU file.</summary>
    public DfuSeImage? DfuSe { get; init; }

    /// <inheritdoc/>
    public bool Equals(DfuFile? other)
        => other is not null && Prefix == other.Prefix && Suffix == other.Suffix && DfuSe == other.DfuSe
           && Firmware.Span.SequenceEqual(other.Firmware.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Prefix, Suffix, Firmware.Length);
}
