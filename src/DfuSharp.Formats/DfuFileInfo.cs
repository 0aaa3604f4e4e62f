using System.Collections.Immutable;

namespace DfuSharp.Formats;

/// <summary>Which size a DfuSe prefix's DFUImageSize counts: ST's tools and dfu-util's dfuse-pack disagree.</summary>
public enum DfuSeImageSizeConvention
{
    /// <summary>The file size minus the DFU suffix, as ST's DfuFileMgr and hex2dfu, micropython's dfu.py and fwupd write.</summary>
    ExcludesSuffix,

    /// <summary>The whole file size, suffix included, as dfu-util's dfuse-pack writes.</summary>
    IncludesSuffix,
}

/// <summary>The oddities a .dfu file may have that do not stop it from being read.</summary>
public enum DfuFileWarningCode
{
    /// <summary>bLength is above 16: extra bytes (fwupd metadata) precede bcdDevice.</summary>
    ExtendedSuffix,

    /// <summary>bcdDFU is none of 0x0100, 0x0110 and 0x011A.</summary>
    UnusualDfuVersion,

    /// <summary>bcdDFU is 0x011A (DfuSe) but the body has no DfuSe prefix; the file is read as plain firmware.</summary>
    DfuSeVersionWithoutDfuSeBody,

    /// <summary>The body is a DfuSe image but bcdDFU is not 0x011A.</summary>
    DfuSeBodyWithoutDfuSeVersion,

    /// <summary>DFUImageSize counts the suffix too (dfuse-pack); ST's tools and fwupd leave it out.</summary>
    DfuSeImageSizeIncludesSuffix,

    /// <summary>A DfuSe target name fills all 255 bytes of its field with no terminating NUL.</summary>
    DfuSeTargetNameNotTerminated,

    /// <summary>The stored dwCRC differs from the computed CRC and the caller asked not to verify it.</summary>
    CrcMismatch,

    /// <summary>The file has no DFU suffix and the suffix policy allowed that.</summary>
    MissingSuffix,
}

/// <summary>A tolerated oddity of a .dfu file.</summary>
/// <param name="Code">What kind of oddity.</param>
/// <param name="Message">A sentence describing it, with the values found.</param>
public readonly record struct DfuFileWarning(DfuFileWarningCode Code, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>
/// What <see cref="DfuFile.Inspect(ReadOnlySpan{byte}, DfuReadOptions?)"/> found in a .dfu file: the parsed file plus
/// the stored facts that the model does not keep (CRCs, bLength, DFUImageSize) and the oddities tolerated on the way.
/// </summary>
public sealed record DfuFileInfo
{
    /// <summary>Gets the parsed file.</summary>
    public required DfuFile File { get; init; }

    /// <summary>Gets the length of the whole input in bytes.</summary>
    public required long FileLength { get; init; }

    /// <summary>Gets the stored bLength, or <see langword="null"/> when the file has no suffix.</summary>
    public int? SuffixLength { get; init; }

    /// <summary>Gets the dwCRC stored in the suffix, or <see langword="null"/> when the file has no suffix.</summary>
    public uint? StoredCrc { get; init; }

    /// <summary>
    /// Gets the CRC computed over every byte but the last four (<see cref="DfuCrc32"/>), or <see langword="null"/> when
    /// the file has no suffix.
    /// </summary>
    public uint? ComputedCrc { get; init; }

    /// <summary>Gets whether the stored and computed CRCs agree, or <see langword="null"/> when the file has no suffix.</summary>
    public bool? CrcValid => StoredCrc is { } stored && ComputedCrc is { } computed ? stored == computed : null;

    /// <summary>Gets the DfuSe prefix's DFUImageSize, or <see langword="null"/> when the body was not read as DfuSe.</summary>
    public uint? DfuSeImageSize { get; init; }

    /// <summary>Gets which size DFUImageSize counts, or <see langword="null"/> when the body was not read as DfuSe.</summary>
    public DfuSeImageSizeConvention? DfuSeImageSizeConvention { get; init; }

    /// <summary>Gets the tolerated oddities, in the order they were found.</summary>
    public ImmutableArray<DfuFileWarning> Warnings { get; init; } = [];
}
