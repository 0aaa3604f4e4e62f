namespace DfuSharp.Formats;

/// <summary>A contiguous run of bytes at an address in a 32-bit address space.</summary>
/// <param name="Address">The address of the first byte.</param>
/// <param name="Data">The bytes. The run may end exactly at the top of the address space (its last byte at 0xFFFF_FFFF).</param>
public readonly record struct MemorySegment(uint Address, ReadOnlyMemory<byte> Data)
{
    /// <summary>Gets the number of bytes.</summary>
    public int Length => Data.Length;

    /// <summary>
    /// Gets the address just past the last byte. It is 64-bit because a segment can end at 0xFFFF_FFFF, whose end is
    /// 0x1_0000_0000.
    /// </summary>
    public ulong End => (ulong)Address + (ulong)Data.Length;

    /// <summary>Tells whether the segment holds a byte for this address.</summary>
    /// <param name="address">The address to test.</param>
    /// <returns><see langword="true"/> when <paramref name="address"/> lies in [<see cref="Address"/>, <see cref="End"/>).</returns>
    public bool Contains(uint address) => address >= Address && address < End;

    /// <inheritdoc/>
    public bool Equals(MemorySegment other) => Address == other.Address && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Address, Data.Length);

    /// <inheritdoc/>
    public override string ToString() => $"0x{Address:X8}..0x{End - 1:X8} ({Length} bytes)";
}
