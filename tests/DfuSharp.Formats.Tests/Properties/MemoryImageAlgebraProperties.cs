using CsCheck;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests.Properties;

/// <summary>Merge, slice and fill of <see cref="MemoryImage"/> against a map model and each other.</summary>
public sealed class MemoryImageAlgebraProperties
{
    [Fact]
    public void Merge_LaterWins_IsTheUnionWithTheOtherImageWinning()
        => Gen.Select(FormatGen.Image, FormatGen.Image).Sample((a, b) =>
        {
            Dictionary<uint, byte> expected = FormatGen.Model(a);
            foreach ((uint address, byte value) in FormatGen.Model(b))
            {
                expected[address] = value;
            }

            MemoryImage merged = a.Merge(b, MemoryOverlapPolicy.LaterWins);

            FormatGen.ShouldBeNormalized(merged);
            FormatGen.Model(merged).Should().Equal(expected);
        });

    [Fact]
    public void Merge_LaterWins_IsAssociativeWithTheEmptyImageAsIdentity()
        => Gen.Select(FormatGen.Image, FormatGen.Image, FormatGen.Image).Sample((a, b, c) =>
        {
            a.Merge(b, MemoryOverlapPolicy.LaterWins).Merge(c, MemoryOverlapPolicy.LaterWins)
                .Should().Be(a.Merge(b.Merge(c, MemoryOverlapPolicy.LaterWins), MemoryOverlapPolicy.LaterWins));
            a.Merge(MemoryImage.Empty).Should().Be(a);
            MemoryImage.Empty.Merge(a).Should().Be(a);
        });

    [Fact]
    public void Merge_Reject_AcceptsAgreeingImagesAndRefusesConflicts()
        => Gen.Select(FormatGen.Image, FormatGen.Image).Sample((a, b) =>
        {
            a.Merge(a).Should().Be(a);
            Dictionary<uint, byte> left = FormatGen.Model(a);
            bool conflict = FormatGen.Model(b).Any(pair => left.TryGetValue(pair.Key, out byte value) && value != pair.Value);

            Func<MemoryImage> merge = () => a.Merge(b);

            if (conflict)
            {
                merge.Should().Throw<DfuFormatException>().Which.Error.Should().Be(DfuFormatError.OverlappingData);
            }
            else
            {
                merge().Should().Be(a.Merge(b, MemoryOverlapPolicy.LaterWins));
            }
        });

    [Fact]
    public void Slice_KeepsExactlyTheBytesInTheRange()
        => Gen.Select(FormatGen.Image, FormatGen.Range).Sample((image, range) =>
        {
            MemoryImage slice = image.Slice(range.Start, range.End - range.Start);

            FormatGen.ShouldBeNormalized(slice);
            FormatGen.Model(slice).Should().Equal(
                FormatGen.Model(image).Where(pair => pair.Key >= range.Start && pair.Key < range.End).ToDictionary());
        });

    [Fact]
    public void Slice_TwoPiecesThatTileTheSpan_MergeBackToTheImage()
        => Gen.Select(FormatGen.Image, Gen.Double[0, 1]).Sample((image, fraction) =>
        {
            ulong cut = image.StartAddress + (ulong)(image.SpanLength * fraction);
            MemoryImage low = image.Slice(image.StartAddress, cut - image.StartAddress);
            // A cut at the very end of the address space (0x1_0000_0000) leaves nothing above it.
            MemoryImage high = cut > uint.MaxValue ? MemoryImage.Empty : image.Slice((uint)cut, image.EndAddress - cut);

            low.Merge(high).Should().Be(image);
            (low.DataBytes + high.DataBytes).Should().Be(image.DataBytes);
        });

    [Fact]
    public void Fill_CoversTheRangeAndKeepsEveryExistingByte()
        => Gen.Select(FormatGen.Image, FormatGen.Range, Gen.Byte).Sample((image, range, value) =>
        {
            Dictionary<uint, byte> before = FormatGen.Model(image);

            MemoryImage filled = image.Fill(range.Start, range.End, value);

            FormatGen.ShouldBeNormalized(filled);
            Dictionary<uint, byte> after = FormatGen.Model(filled);
            before.Should().BeSubsetOf(after);
            for (ulong address = range.Start; address < range.End; address++)
            {
                after[(uint)address].Should().Be(before.TryGetValue((uint)address, out byte old) ? old : value);
            }

            after.Count.Should().Be(before.Count + (int)(range.End - range.Start) - before.Keys.Count(a => a >= range.Start && a < range.End));
        });
}
