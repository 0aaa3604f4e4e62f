using System.Text;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class CrcTests
{
    [Fact]
    public void Compute_CheckString_MatchesSuffixCrc() => DfuCrc32.Compute("123456789"u8).Should().Be(0x340BC6D9u);

    [Fact]
    public void Compute_Empty_IsInitialState() => DfuCrc32.Compute([]).Should().Be(DfuCrc32.InitialState);

    [Fact]
    public void Compute_FwupdExampleWithSuffixFields_MatchesStoredCrc()
    {
        // real/fwupd/example.dfu: "hello world\n" + a suffix for any device, bcdDFU 0x0100; dwCRC 0x2D64EA66.
        byte[] covered = [.. Encoding.ASCII.GetBytes("hello world\n"), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, (byte)'U', (byte)'F', (byte)'D', 16];
        DfuCrc32.Compute(covered).Should().Be(0x2D64EA66u);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Compute_RandomInputs_MatchesBitwiseReference(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 200; i++)
        {
            byte[] data = DfuTestHelpers.RandomBytes(random.Next(), random.Next(0, 100));
            DfuCrc32.Compute(data).Should().Be(BitwiseReference(data), "length {0}", data.Length);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Update_RandomSplits_EqualsOneShot(int seed)
    {
        var random = new Random(seed);
        byte[] data = DfuTestHelpers.RandomBytes(seed, 5000);
        uint expected = DfuCrc32.Compute(data);
        for (int i = 0; i < 50; i++)
        {
            uint state = DfuCrc32.InitialState;
            int offset = 0;
            while (offset < data.Length)
            {
                int chunk = Math.Min(random.Next(0, 40), data.Length - offset);
                state = DfuCrc32.Update(state, data.AsSpan(offset, chunk));
                offset += chunk;
            }

            state.Should().Be(expected);
        }
    }

    [Fact]
    public void Compute_ValidFileWithItsCrc_OrdinaryCrcOfWholeFileIsAllOnes()
    {
        // Feeding dwCRC (little-endian) after the bytes it covers drives the register to 0; hence the vectors README's
        // identity that the ordinary CRC-32 of a valid file, which is this value inverted, is 0xFFFFFFFF.
        byte[] file = new DfuFile { Firmware = DfuTestHelpers.RandomBytes(5, 333), Suffix = new DfuSuffix() }.ToArray();
        DfuCrc32.Compute(file).Should().Be(0u);
    }

    private static uint BitwiseReference(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFF_FFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc;
    }
}
