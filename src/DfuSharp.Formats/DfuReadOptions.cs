namespace DfuSharp.Formats;

/// <summary>Whether a .dfu file must end in a DFU suffix (the needs / maybe / no suffix policy of dfu-util).</summary>
public enum DfuSuffixPolicy
{
    /// <summary>The file must end in a valid DFU suffix (dfu-util's "needs suffix").</summary>
    Required,

    /// <summary>
    /// A file without the "UFD" signature (or shorter than 16 bytes) is read as raw firmware (dfu-util's "maybe
    /// suffix"). Unlike dfu-util, a file that does carry the signature must carry a valid suffix: a bad CRC or bLength
    /// is an error, never a reason to send the suffix to the device as firmware.
    /// </summary>
    Optional,

    /// <summary>No suffix is looked for: every byte is firmware (dfu-util's "no suffix").</summary>
    None,
}

/// <summary>How <see cref="DfuFile.Read(ReadOnlySpan{byte}, DfuReadOptions?)"/> reads a .dfu file.</summary>
public sealed record DfuReadOptions
{
    /// <summary>Gets the default options: suffix required, CRC verified, DfuSe bodies and prefixes parsed.</summary>
    public static DfuReadOptions Default { get; } = new();

    /// <summary>Gets whether the file must end in a DFU suffix. Defaults to <see cref="DfuSuffixPolicy.Required"/>.</summary>
    public DfuSuffixPolicy SuffixPolicy { get; init; } = DfuSuffixPolicy.Required;

    /// <summary>
    /// Gets whether a dwCRC that differs from the computed CRC is an error. Defaults to <see langword="true"/>; when
    /// <see langword="false"/> the mismatch is reported by <see cref="DfuFileInfo.CrcValid"/> and a warning.
    /// </summary>
    public bool VerifyCrc { get; init; } = true;

    /// <summary>
    /// Gets whether a body that starts with "DfuSe" is parsed into <see cref="DfuFile.DfuSe"/>. Defaults to
    /// <see langword="true"/>; when <see langword="false"/> the body is plain firmware.
    /// </summary>
    public bool ParseDfuSe { get; init; } = true;

    /// <summary>
    /// Gets whether an NXP LPC or TI Stellaris prefix is recognised and split off into <see cref="DfuFile.Prefix"/>.
    /// Defaults to <see langword="true"/>.
    /// </summary>
    public bool DetectPrefix { get; init; } = true;
}
