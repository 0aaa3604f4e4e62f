namespace DfuSharp.Formats;

/// <summary>How <see cref="IntelHex.Write"/> lays out a file.</summary>
public sealed record IntelHexWriteOptions
{
    /// <summary>The default number of data bytes per record.</summary>
    public const int DefaultRecordLength = 16;

    /// <summary>Gets the number of data bytes per data record, 1 to 255. The default is 16; srec_cat writes 32.</summary>
    public int RecordLength { get; init; } = DefaultRecordLength;

    /// <summary>
    /// Gets how addresses above 0xFFFF are reached: <see cref="IntelHexAddressing.Linear"/> (04, the default),
    /// <see cref="IntelHexAddressing.Segment"/> (02, up to 0xFFFFF) or <see cref="IntelHexAddressing.Bits16"/> (none, up
    /// to 0xFFFF).
    /// </summary>
    public IntelHexAddressing Addressing { get; init; } = IntelHexAddressing.Linear;

    /// <summary>Gets the start address to write (an 03 or 05 record before the end-of-file record), or <see langword="null"/>.</summary>
    public IntelHexStartAddress? StartAddress { get; init; }

    /// <summary>Gets the line terminator: <see cref="LineEndings.Lf"/> (the default) or <see cref="LineEndings.CrLf"/>.</summary>
    public LineEndings LineEnding { get; init; } = LineEndings.Lf;
}
