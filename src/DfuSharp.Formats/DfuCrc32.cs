using System.IO.Hashing;

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
/// running state after the last chunk is the suffix CRC. The bytes are hashed by <see cref="Crc32"/> from
/// System.IO.Hashing, which uses the processor's carry-less multiply where it has one; this class only complements its
/// result and carries the state from one chunk to the next.
/// </para>
/// </remarks>
public static class DfuCrc32
{
    /// <summary>The state before any byte: 0xFFFFFFFF.</summary>
    public const uint InitialState = 0xFFFF_FFFF;

    private const uint ReflectedPolynomial = 0xEDB8_8320;

    // X2N[k] is x^(2^k) modulo the CRC polynomial, in the reflected bit order; it advances a CRC over 2^k zero bits.
    private static readonly uint[] s_x2n = BuildPowers();

    /// <summary>Computes the DFU suffix CRC of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to cover; for a .dfu file, all of it except the last four bytes.</param>
    /// <returns>The value a DFU suffix stores in dwCRC.</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Crc32.HashToUInt32(data);

    /// <summary>Continues a CRC over more bytes.</summary>
    /// <param name="state">The result of a previous call, or <see cref="InitialState"/> to start.</param>
    /// <param name="data">The next bytes.</param>
    /// <returns>The new state; after the last chunk it is the suffix CRC (no final exclusive-or is applied).</returns>
    public static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        if (state == InitialState)
        {
            return Compute(data);
        }

        if (data.IsEmpty)
        {
            return state;
        }

        // The ordinary CRC-32 of A followed by B is crc(A) shifted over |B| zero bytes, exclusive-or crc(B) (zlib's
        // crc32_combine); a state S is the complement of such a crc(A), whatever bytes A were.
        uint shifted = MultiplyModP(ShiftOverBytes(data.Length), ~state);
        return ~(shifted ^ Crc32.HashToUInt32(data));
    }

    // x^(8 * byteCount) modulo P: the factor that moves a CRC over byteCount zero bytes.
    private static uint ShiftOverBytes(int byteCount)
    {
        uint product = 1u << 31; // x^0
        int k = 3; // 8 bits per byte = 2^3
        for (uint n = (uint)byteCount; n != 0; n >>= 1, k++)
        {
            if ((n & 1) != 0)
            {
                product = MultiplyModP(s_x2n[k & 31], product);
            }
        }

        return product;
    }

    // a * b modulo P over GF(2), both in the reflected order (bit 31 is x^0), as zlib's multmodp.
    private static uint MultiplyModP(uint a, uint b)
    {
        uint product = 0;
        for (uint m = 1u << 31; m != 0; m >>= 1)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                if ((a & (m - 1)) == 0)
                {
                    break;
                }
            }

            b = (b & 1) != 0 ? (b >> 1) ^ ReflectedPolynomial : b >> 1;
        }

        return product;
    }

    private static uint[] BuildPowers()
    {
        var powers = new uint[32];
        uint p = 1u << 30; // x^1
        powers[0] = p;
        for (int k = 1; k < powers.Length; k++)
        {
            p = MultiplyModP(p, p);
            powers[k] = p;
        }

        return powers;
    }
}
