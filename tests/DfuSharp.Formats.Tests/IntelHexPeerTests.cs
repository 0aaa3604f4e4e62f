using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>Our Intel HEX against srec_cat (srecord): both ways, on the binary described and on the text itself.</summary>
public sealed class IntelHexPeerTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("dfusharp-hex-");

    public static TheoryData<IntelHexAddressing, int, int> Cases()
        => SrecCat.Cases([IntelHexAddressing.Linear, IntelHexAddressing.Segment, IntelHexAddressing.Bits16], [16, 32, 255]);

    public void Dispose() => _directory.Delete(recursive: true);

    [PeerTheory("srec_cat")]
    [MemberData(nameof(Cases))]
    public void Write_RandomImage_SrecCatDescribesSameBinaryAndRewritesSameText(IntelHexAddressing addressing, int recordLength, int seed)
    {
        var random = new Random(seed * 1000 + recordLength + (int)addressing);
        MemoryImage image = MemoryImageRandom.Image(RandomSegments(random, addressing));
        IntelHexStartAddress? start = addressing switch
        {
            IntelHexAddressing.Linear => IntelHexStartAddress.Linear((uint)random.Next()),
            // srec_cat reads an 03 record as CS × 16 + IP but writes the address back as CS:IP = high:low half
            // (vectors README item 9); only CS = 0 survives its round trip unchanged.
            IntelHexAddressing.Segment => IntelHexStartAddress.Segment(0, (ushort)random.Next(0x10000)),
            _ => null,
        };
        var options = new IntelHexWriteOptions { Addressing = addressing, RecordLength = recordLength, StartAddress = start };
        string ours = Path.Combine(_directory.FullName, "ours.hex");
        File.WriteAllBytes(ours, TextFormats.IntelHexBytes(image, options));

        string binary = Path.Combine(_directory.FullName, "theirs.bin");
        SrecCat.Run(ours, "-intel", "-offset", SrecCat.Hex(-(long)image.StartAddress), "-o", binary, "-binary");
        File.ReadAllBytes(binary).Should().Equal(SrecCat.Binary(image), "srec_cat must read the same bytes from our file");

        string rewritten = Path.Combine(_directory.FullName, "theirs.hex");
        SrecCat.Run([ours, "-intel", "-o", rewritten, "-intel", "-output-block-size=" + recordLength, .. AddressLength(addressing)]);
        File.ReadAllText(rewritten).Should().Be(File.ReadAllText(ours), "srec_cat rewrites our layout unchanged");
    }

    [PeerTheory("srec_cat")]
    [MemberData(nameof(Cases))]
    public void Read_SrecCatOutputFromRandomBinaries_GivesSameImageAndOurWriterMatchesIt(IntelHexAddressing addressing, int recordLength, int seed)
    {
        var random = new Random(seed * 7919 + recordLength + (int)addressing);
        IReadOnlyList<MemorySegment> segments = RandomSegments(random, addressing);
        List<string> arguments = SrecCat.SegmentInputs(_directory, segments);

        string theirs = Path.Combine(_directory.FullName, "theirs.hex");
        SrecCat.Run([.. arguments, "-o", theirs, "-intel", "-output-block-size=" + recordLength, .. AddressLength(addressing)]);

        IntelHexFile file = IntelHex.Read(File.ReadAllBytes(theirs));

        file.Image.Should().Be(MemoryImageRandom.Image(segments));
        TextFormats.IntelHexBytes(file.Image, new IntelHexWriteOptions { Addressing = addressing, RecordLength = recordLength })
            .Should().Equal(File.ReadAllBytes(theirs), "we write what srec_cat writes");
    }

    private static IReadOnlyList<MemorySegment> RandomSegments(Random random, IntelHexAddressing addressing) => addressing switch
    {
        IntelHexAddressing.Bits16 => MemoryImageRandom.Segments(random, 0, 0x1_0000),
        IntelHexAddressing.Segment => MemoryImageRandom.Segments(random, (uint)random.Next(0, 0xC_0000), 0x10_0000),
        _ => MemoryImageRandom.Segments(random, (uint)random.Next(0, 0x7000_0000) * 2, 0x1_0000_0000),
    };

    private static string[] AddressLength(IntelHexAddressing addressing) => addressing switch
    {
        IntelHexAddressing.Bits16 => ["-address-length=2"],
        IntelHexAddressing.Segment => ["-address-length=3"],
        _ => [],
    };
}
