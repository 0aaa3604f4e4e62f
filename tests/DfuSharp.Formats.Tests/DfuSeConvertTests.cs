using System.Text.Json;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class DfuSeConvertTests
{
    /// <summary>DfuSe vectors made from a HEX or S-record vector (by dfuse-pack or ST's hex2dfu).</summary>
    public static TheoryData<string> DfuSeFromText => VectorManifest.Names(e =>
        e.Kind == "dfuse" && MemoryImageExpectedFacts.SameDataAs(e.Name).Any(o => VectorManifest.Get(o).Kind is "hex" or "srec"));

    [VectorsTheory]
    [MemberData(nameof(DfuSeFromText))]
    public void ToTarget_TextVectorOfADfuSeVector_GivesItsTargetAndElements(string name)
    {
        JsonElement target = VectorManifest.Get(name).Expected.GetProperty("dfuse").GetProperty("targets").EnumerateArray().Single();
        string text = MemoryImageExpectedFacts.SameDataAs(name).Single(o => VectorManifest.Get(o).Kind is "hex" or "srec");

        DfuSeTarget converted = DfuSeConvert.ToTarget(
            IntelHexVectorTests.ReadText(text), target.GetProperty("alt").GetByte(), target.GetProperty("name").GetString());

        converted.Elements.Select(e => (e.Address, e.Data.Length, MemoryImageExpectedFacts.Sha256(e.Data.Span))).Should().Equal(
            target.GetProperty("elements").EnumerateArray().Select(e => (
                e.GetProperty("address").GetUInt32(), e.GetProperty("size").GetInt32(), e.GetProperty("sha256").GetString()!)));
        converted.Name.Should().Be(target.GetProperty("name").GetString());
    }

    [Fact]
    public void ToTarget_SparseImage_GivesOneElementPerSegment()
    {
        MemoryImage image = MemoryImage.FromBytes(0x0800_0000, [1, 2]).Merge(MemoryImage.FromBytes(0x0800_4000, [3]));

        DfuSeTarget target = DfuSeConvert.ToTarget(image, 1, "Internal Flash");

        target.Should().Be(new DfuSeTarget(1, "Internal Flash", [
            new DfuSeElement(0x0800_0000, new byte[] { 1, 2 }),
            new DfuSeElement(0x0800_4000, new byte[] { 3 })]));
    }

    [Fact]
    public void ToTarget_NameLongerThan254_ThrowsArgumentException()
    {
        Action convert = () => DfuSeConvert.ToTarget(MemoryImage.Empty, 0, new string('x', 255));

        convert.Should().Throw<ArgumentException>();
        DfuSeConvert.ToTarget(MemoryImage.Empty, 0, new string('x', 254)).Name.Should().HaveLength(254);
    }

    [Fact]
    public void ToMemoryImage_AdjacentAndEmptyElements_MergeIntoSegments()
    {
        var target = new DfuSeTarget(0, null, [
            new DfuSeElement(0x100, new byte[] { 3 }),
            new DfuSeElement(0x0FE, new byte[] { 1, 2 }),
            new DfuSeElement(0x500, ReadOnlyMemory<byte>.Empty),
            new DfuSeElement(0, ReadOnlyMemory<byte>.Empty)]);

        DfuSeConvert.ToMemoryImage(target).Should().Be(MemoryImage.FromBytes(0x0FE, [1, 2, 3]));
    }

    [Fact]
    public void ToMemoryImage_OverlappingElementsWithDifferentData_ThrowsOverlappingData()
    {
        var target = new DfuSeTarget(0, null, [new DfuSeElement(0x100, new byte[] { 1, 2 }), new DfuSeElement(0x101, new byte[] { 9 })]);

        Action convert = () => DfuSeConvert.ToMemoryImage(target);

        convert.Should().Throw<DfuFormatException>().Where(e => e.Error == DfuFormatError.OverlappingData).WithMessage("*0x00000101*");
    }

    [Fact]
    public void ToMemoryImage_ElementPastFourGiB_ThrowsAddressOverflow()
    {
        var target = new DfuSeTarget(0, null, [new DfuSeElement(0xFFFF_FFFF, new byte[] { 1, 2 })]);

        Action convert = () => DfuSeConvert.ToMemoryImage(target);

        convert.Should().Throw<DfuFormatException>().Which.Error.Should().Be(DfuFormatError.AddressOverflow);
    }

    [Fact]
    public void ToMemoryImage_ImageAndAlternateSetting_MergesEveryTargetWithThatSetting()
    {
        var image = new DfuSeImage([
            new DfuSeTarget(0, "a", [new DfuSeElement(0x10, new byte[] { 1 })]),
            new DfuSeTarget(1, "option bytes", [new DfuSeElement(0x10, new byte[] { 9 })]),
            new DfuSeTarget(0, "b", [new DfuSeElement(0x11, new byte[] { 2 })])]);

        DfuSeConvert.ToMemoryImage(image, 0).Should().Be(MemoryImage.FromBytes(0x10, [1, 2]));
        DfuSeConvert.ToMemoryImage(image, 1).Should().Be(MemoryImage.FromBytes(0x10, [9]));
        DfuSeConvert.ToMemoryImage(image, 2).Should().Be(MemoryImage.Empty);
    }

    [Fact]
    public void ToTargetThenToMemoryImage_RandomImages_RoundTrip()
    {
        var random = new Random(7);
        for (int i = 0; i < 50; i++)
        {
            MemoryImage image = MemoryImageRandom.Image(MemoryImageRandom.Segments(random, (uint)random.Next(), 0x1_0000_0000));

            DfuSeTarget target = DfuSeConvert.ToTarget(image, (byte)i, null);

            target.Elements.Should().HaveCount(image.Segments.Length);
            DfuSeConvert.ToMemoryImage(target).Should().Be(image);
        }
    }
}
