using CsCheck;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests.Properties;

/// <summary><see cref="DfuCrc32.Update"/> carries the state from chunk to chunk, whatever the state and the split.</summary>
public sealed class Crc32Properties
{
    [Fact]
    public void Update_AnySplit_EqualsTheCrcOfTheWhole()
        => Gen.Select(Gen.Byte.Array[0, 2000], Gen.Int[0, 2000]).Sample((data, at) =>
        {
            int cut = Math.Min(at, data.Length);

            uint state = DfuCrc32.Update(DfuCrc32.Update(DfuCrc32.InitialState, data.AsSpan(0, cut)), data.AsSpan(cut));

            state.Should().Be(DfuCrc32.Compute(data));
        });

    [Fact]
    public void Update_FromAnyState_EqualsTheBitwiseRegisterUpdate()
        => Gen.Select(Gen.UInt, Gen.Byte.Array[0, 300]).Sample((start, data) =>
        {
            uint crc = start;
            foreach (byte b in data)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++)
                {
                    crc = (crc & 1) != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1;
                }
            }

            DfuCrc32.Update(start, data).Should().Be(crc);
        });
}
