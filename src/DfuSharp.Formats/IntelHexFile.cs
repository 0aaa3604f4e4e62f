using System.Collections.Immutable;

namespace DfuSharp.Formats;

/// <summary>What an Intel HEX file holds: its memory image, its start address, and facts about its records.</summary>
/// <param name="Image">The data, merged into contiguous segments.</param>
/// <param name="StartAddress">The start address from an 03 or 05 record, or <see langword="null"/>.</param>
public sealed record IntelHexFile(MemoryImage Image, IntelHexStartAddress? StartAddress)
{
    /// <summary>Gets which extended address records the file uses.</summary>
    public IntelHexAddressing Addressing { get; init; }

    /// <summary>Gets the number of records of each type, indexed by type (00 to 05).</summary>
    public ImmutableArray<int> RecordCounts { get; init; } = ImmutableArray.Create(new int[6]);

    /// <summary>Gets the number of data records (type 00).</summary>
    public int DataRecordCount => RecordCounts.IsDefaultOrEmpty ? 0 : RecordCounts[0];

    /// <summary>Gets the largest number of data bytes in one data record.</summary>
    public int MaxRecordDataLength { get; init; }

    /// <summary>Gets the line terminators the file uses.</summary>
    public LineEndings LineEndings { get; init; }

    /// <inheritdoc/>
    public bool Equals(IntelHexFile? other)
        => other is not null && Image.Equals(other.Image) && StartAddress == other.StartAddress
           && Addressing == other.Addressing && RecordCounts.SequenceEqual(other.RecordCounts)
           && MaxRecordDataLength == other.MaxRecordDataLength && LineEndings == other.LineEndings;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Image, StartAddress, Addressing);
}
