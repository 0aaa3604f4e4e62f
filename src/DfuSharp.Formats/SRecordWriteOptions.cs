namespace DfuSharp.Formats;

/// <summary>The address width of S-record data records, which decides their type.</summary>
public enum SRecordAddressWidth
{
    /// <summary>The narrowest width that holds every address of the data and the start address.</summary>
    Automatic = 0,

    /// <summary>16-bit addresses: S1 data, S9 termination.</summary>
    Bits16 = 2,

    /// <summary>24-bit addresses: S2 data, S8 termination.</summary>
    Bits24 = 3,

    /// <summary>32-bit addresses: S3 data, S7 termination.</summary>
    Bits32 = 4,
}

/// <summary>How <see cref="SRecord.Write"/> lays out a file.</summary>
public sealed record SRecordWriteOptions
{
    /// <summary>The default number of data bytes per record.</summary>
    public const int DefaultRecordLength = 16;

    /// <summary>
    /// Gets the number of data bytes per data record: 1 to 252 (S1), 251 (S2) or 250 (S3). The default is 16;
    /// srec_cat writes 32.
    /// </summary>
    public int RecordLength { get; init; } = DefaultRecordLength;

    /// <summary>Gets the address width of the data records; <see cref="SRecordAddressWidth.Automatic"/> by default.</summary>
    public SRecordAddressWidth AddressWidth { get; init; } = SRecordAddressWidth.Automatic;

    /// <summary>
    /// Gets the data of the S0 header record (at most 252 bytes), or <see langword="null"/> to write none. The default
    /// is an empty header (<c>S0030000FC</c>): srec_cat warns about a file without one.
    /// </summary>
    /// <remarks>
    /// A <see langword="null"/> <c>byte[]</c> converts to an empty <see cref="ReadOnlyMemory{T}"/>, which writes an empty
    /// S0 record; assign <see langword="null"/> itself for none.
    /// </remarks>
    public ReadOnlyMemory<byte>? Header { get; init; } = ReadOnlyMemory<byte>.Empty;

    /// <summary>
    /// Gets the start address the termination record (S7, S8 or S9) holds, or <see langword="null"/> for none; the
    /// record then holds 0 (a conventional <c>S9030000FC</c>).
    /// </summary>
    public uint? StartAddress { get; init; }

    /// <summary>
    /// Gets whether to end the file with the termination record (S7, S8 or S9, after the address width). The default
    /// is <see langword="true"/>: srec_cat warns about a file without one. <see langword="false"/> reproduces files
    /// that have none; a <see cref="StartAddress"/> is then not written.
    /// </summary>
    public bool WriteTerminationRecord { get; init; } = true;

    /// <summary>
    /// Gets whether to write the S5 (or, above 65,535 records, S6) count record. The default is <see langword="true"/>.
    /// The record is optional: above 16,777,215 data records, more than S6 can count, it is left out.
    /// </summary>
    public bool WriteCountRecord { get; init; } = true;

    /// <summary>Gets the line terminator: <see cref="LineEndings.Lf"/> (the default) or <see cref="LineEndings.CrLf"/>.</summary>
    public LineEndings LineEnding { get; init; } = LineEndings.Lf;

    /// <inheritdoc/>
    public bool Equals(SRecordWriteOptions? other)
        => other is not null && RecordLength == other.RecordLength && AddressWidth == other.AddressWidth
           && Header.HasValue == other.Header.HasValue
           && (!Header.HasValue || Header.Value.Span.SequenceEqual(other.Header!.Value.Span))
           && StartAddress == other.StartAddress && WriteCountRecord == other.WriteCountRecord
           && WriteTerminationRecord == other.WriteTerminationRecord && LineEnding == other.LineEnding;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RecordLength, AddressWidth, StartAddress, WriteCountRecord, WriteTerminationRecord, LineEnding);
}
