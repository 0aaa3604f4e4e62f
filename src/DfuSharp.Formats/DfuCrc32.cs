using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DfuSharp.Formats;

/// <summary>
/// The CRC of the DFU suffix (DFU 1.1 Appendix B): CRC-32 with the reflected polynomial 0xEDB88320 and initial value
/// 0xFFFFFFFF, <em>without</em> the final exclusive-or that zlib's and Ethernet's CRC-32 apply. It covers every byte
/// of the file except the last four (dwCRC itself).
/// </summary>
/// <remarks>
/// <para>
/// The result is the bitwise complement of the ordinary CRC-32: <c>Compute(data) == ~zlib.crc32(data)</c>. The check
/// value over the ASCII string "123456789" is 0x340BC6D9.
/// </para>
/// <para>
/// For large inputs use <see cref="Update(uint, ReadOnlySpan{byte})"/> starting from <see cref="InitialState"/>; the
/// running state after the last chunk is the suffix CRC. The implementation processes eight bytes per step
/// (slicing-by-8).
/// </para>
/// </remarks>
public static class DfuCrc32
{
    /// <summary>The state before any byte: 0xFFFFFFFF.</summary>
    public const uint InitialState = 0xFFFF_FFFF;

    private const uint ReflectedPolynomial = 0xEDB8_8320;
    private const int Slices = 8;

    private static readonly uint[] s_table = BuildTable();

    /// <summary>Computes the DFU suffix CRC of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to cover; for a .dfu file, all of it except the last four bytes.</param>
    /// <returns>The value a DFU suffix stores in dwCRC.</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(InitialState, data);

    /// <summary>Continues a CRC over more bytes.</summary>
    /// <param name="state">The result of a previous call, or <see cref="InitialState"/> to start.</param>
    /// <param name="data">The next bytes.</param>
    /// <returns>The new state; after the last chunk it is the suffix CRC (no final exclusive-or is applied).</returns>
    public static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        uint[] table = s_table;
        uint crc = state;
        ref byte p = ref MemoryMarshal.GetReference(data);
        int length = data.Length;
        int i = 0;

        for (; length - i >= Slices; i += Slices)
        {
            uint lo = ReadLittleEndian(ref Unsafe.Add(ref p, i)) ^ crc;
            uint hi = ReadLittleEndian(ref Unsafe.Add(ref p, i + 4));
            crc = table[(7 * 256) + (lo & 0xFF)]
                  ^ table[(6 * 256) + ((lo >> 8) & 0xFF)]
                  ^ table[(5 * 256) + ((lo >> 16) & 0xFF)]
                  ^ table[(4 * 256) + (lo >> 24)]
                  ^ table[(3 * 256) + (hi & 0xFF)]
                  ^ table[(2 * 256) + ((hi >> 8) & 0xFF)]
                  ^ table[256 + ((hi >> 16) & 0xFF)]
                  ^ table[hi >> 24];
        }

        for (; i < length; i++)
        {
            crc = table[(crc ^ Unsafe.Add(ref p, i)) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadLittleEndian(ref byte source)
    {
        uint value = Unsafe.ReadUnaligned<uint>(ref source);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    private static uint[] BuildTable()
    {
        var table = new uint[Slices * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? ReflectedPolynomial ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        // Slice s advances a byte through s further zero bytes, so eight table lookups fold eight input bytes at once.
        for (int s = 1; s < Slices; s++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint previous = table[((s - 1) * 256) + n];
                table[(s * 256) + n] = table[previous & 0xFF] ^ (previous >> 8);
            }
        }

        return table;
    }
}
