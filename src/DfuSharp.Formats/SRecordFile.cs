using System.Collections.Immutable;
using System.Text;

namespace DfuSharp.Formats;

/// <summary>What a Motorola S-record file holds: its memory image, header, start address and facts about its records.</summary>
/// <param name="Image">The data of the S1, S2 and S3 records, merged into contiguous segments.</param>
/// <param name="Header">The data of the S0 header record, or <see langword="null"/> when there is none.</param>
/// <param name="StartAddress">The address of the S7, S8 or S9 termination record, or <see langword="null"/> when there is none.</param>
public sealed record SRecordFile(MemoryImage Image, ReadOnlyMemory<byte>? Header, uint? StartAddress)
{
    /// <summary>Gets the header as text (Latin-1, trailing NULs removed), or <see langword="null"/>.</summary>
    public string? HeaderText => Header is { } header ? Encoding.Latin1.GetString(header.Span.TrimEnd((byte)0)) : null;

    /// <summary>Gets the count from the last S5 or S6 record (checked against the data records before it), or <see langword="null"/>.</summary>
    public int? CountRecord { get; init; }

    /// <summary>Gets the number of records of each type, indexed by type (S0 to S9).</summary>
    public ImmutableArray<int> RecordCounts { get; init; } = ImmutableArray.Create(new int[10]);

    /// <summary>Gets the number of data records (S1, S2 and S3).</summary>
    public int DataRecordCount => RecordCounts.IsDefaultOrEmpty ? 0 : RecordCounts[1] + RecordCounts[2] + RecordCounts[3];

    /// <summary>Gets the largest number of data bytes in one data record.</summary>
    public int MaxRecordDataLength { get; init; }

    /// <summary>Gets the line terminators the file uses.</summary>
    public LineEndings LineEndings { get; init; }

    /// <inheritdoc/>
    public bool Equals(SRecordFile? other)
        => other is not null && Image.Equals(other.Image) && StartAddress == other.StartAddress
           && Header.HasValue == other.Header.HasValue
           && (!Header.HasValue || Header.Value.Span.SequenceEqual(other.Header!.Value.Span))
           && CountRecord == other.CountRecord && RecordCounts.SequenceEqual(other.RecordCounts)
           && MaxRecordDataLength == other.MaxRecordDataLength && LineEndings == other.LineEndings;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Image, StartAddress, CountRecord);
}
