using System.Text;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>Our S-records against srec_cat (srecord): both ways, on the binary described and on the text itself.</summary>
public sealed class SRecordPeerTests : IDisposable
{
    private static readonly byte[] s_header = Encoding.ASCII.GetBytes("DfuSharp peer test");

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("dfusharp-srec-");

    public static TheoryData<SRecordAddressWidth, int, int> Cases()
        => SrecCat.Cases([SRecordAddressWidth.Bits16, SRecordAddressWidth.Bits24, SRecordAddressWidth.Bits32], [16, 32, 250]);

    public void Dispose() => _directory.Delete(recursive: true);

    [PeerTheory("srec_cat")]
    [MemberData(nameof(Cases))]
    public void Write_RandomImage_SrecCatDescribesSameBinaryAndRewritesSameText(SRecordAddressWidth width, int recordLength, int seed)
    {
        var random = new Random(seed * 1000 + recordLength + (int)width);
        IReadOnlyList<MemorySegment> segments = RandomSegments(random, width);
        MemoryImage image = MemoryImageRandom.Image(segments);
        var options = new SRecordWriteOptions
        {
            AddressWidth = random.Next(2) == 0 ? width : SRecordAddressWidth.Automatic,
            RecordLength = recordLength,
            Header = s_header,
            StartAddress = image.StartAddress,
        };
        string ours = Path.Combine(_directory.FullName, "ours.srec");
        File.WriteAllBytes(ours, TextFormats.SRecordBytes(image, options));

        string binary = Path.Combine(_directory.FullName, "theirs.bin");
        SrecCat.Run(ours, "-motorola", "-offset", SrecCat.Hex(-(long)image.StartAddress), "-o", binary, "-binary");
        File.ReadAllBytes(binary).Should().Equal(SrecCat.Binary(image), "srec_cat must read the same bytes from our file");

        string rewritten = Path.Combine(_directory.FullName, "theirs.srec");
        SrecCat.Run(ours, "-motorola", "-o", rewritten, "-motorola", "-address-length=" + (int)width, "-output-block-size=" + recordLength);
        File.ReadAllText(rewritten).Should().Be(File.ReadAllText(ours), "srec_cat rewrites our layout unchanged");
    }

    [PeerTheory("srec_cat")]
    [MemberData(nameof(Cases))]
    public void Read_SrecCatOutputFromRandomBinaries_GivesSameImageAndOurWriterMatchesIt(SRecordAddressWidth width, int recordLength, int seed)
    {
        var random = new Random(seed * 7919 + recordLength + (int)width);
        IReadOnlyList<MemorySegment> segments = RandomSegments(random, width);
        List<string> arguments = SrecCat.SegmentInputs(_directory, segments);

        uint start = segments[0].Address;
        string theirs = Path.Combine(_directory.FullName, "theirs.srec");
        SrecCat.Run([.. arguments, "-execution-start-address=" + SrecCat.Hex(start), "-header=DfuSharp peer test",
            "-o", theirs, "-motorola", "-address-length=" + (int)width, "-output-block-size=" + recordLength]);

        SRecordFile file = SRecord.Read(File.ReadAllBytes(theirs));

        file.Image.Should().Be(MemoryImageRandom.Image(segments));
        file.StartAddress.Should().Be(start);
        file.HeaderText.Should().Be("DfuSharp peer test");
        file.CountRecord.Should().Be(file.DataRecordCount);
        var options = new SRecordWriteOptions { AddressWidth = width, RecordLength = recordLength, Header = s_header, StartAddress = start };
        TextFormats.SRecordBytes(file.Image, options).Should().Equal(File.ReadAllBytes(theirs), "we write what srec_cat writes");
    }

    private static IReadOnlyList<MemorySegment> RandomSegments(Random random, SRecordAddressWidth width) => width switch
    {
        SRecordAddressWidth.Bits16 => MemoryImageRandom.Segments(random, 0, 0x1_0000),
        SRecordAddressWidth.Bits24 => MemoryImageRandom.Segments(random, (uint)random.Next(0x1_0000, 0xF0_0000), 0x100_0000),
        _ => MemoryImageRandom.Segments(random, (uint)random.Next(0x100_0000, 0x7000_0000) * 2, 0x1_0000_0000),
    };
}
