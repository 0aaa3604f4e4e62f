using System.Buffers;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class RawBinaryVectorTests
{
    public static TheoryData<string> BinaryVectors => VectorManifest.Names(e => e.Kind == "bin");

    [VectorsTheory]
    [MemberData(nameof(BinaryVectors))]
    public void Read_ManifestVector_MatchesExpectedFacts(string name)
    {
        VectorEntry entry = VectorManifest.Get(name);

        MemoryImage image = RawBinary.Read(entry.ReadBytes());

        image.ShouldHaveSegments(entry.Expected);
    }

    [VectorsTheory]
    [MemberData(nameof(BinaryVectors))]
    public void Write_AtAnyBase_ReproducesFileByteForByte(string name)
    {
        byte[] original = VectorManifest.Get(name).ReadBytes();
        var output = new ArrayBufferWriter<byte>();

        RawBinary.Write(RawBinary.Read(original, 0x0800_0000), output);

        output.WrittenSpan.ToArray().Should().Equal(original);
    }
}
