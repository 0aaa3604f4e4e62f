using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DfuSharp.Benchmarks;

/// <summary>
/// The DFU suffix CRC as DfuSharp computed it before it used System.IO.Hashing: table-driven, eight bytes per step
/// (slicing-by-8). Kept here only as the baseline of <see cref="Crc32Benchmarks"/>.
/// </summary>
internal static class SlicingBy8Crc32
{
    private const uint ReflectedPolynomial = 0xEDB8_8320;
    private const int Slices = 8;

    private static readonly uint[] s_table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Update(0xFFFF_FFFF, data);

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
