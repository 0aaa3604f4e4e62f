using System.Text.Json;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class IntelHexVectorTests
{
    /// <summary>
    /// Vectors our writer reproduces byte for byte from what it read (same record length, addressing, start address and
    /// line ending): everything srec_cat wrote, and the real files laid out the same way.
    /// </summary>
    private static readonly string[] Canonical =
    [
        "gen/hex/small_16bit.hex", "gen/hex/default_linear.hex", "gen/hex/gaps_linear.hex", "gen/hex/big_1m.hex",
        "gen/hex/cross64k.hex", "gen/hex/segment_02.hex", "gen/hex/start_linear.hex", "gen/hex/crlf_block16.hex",
        "gen/hex/block255.hex", "gen/hex/s3_twin.hex", "real/fwupd/firmware.hex", "real/st-hex2dfu/test.hex",
    ];

    /// <summary>Vectors laid out otherwise, and why.</summary>
    private static readonly string[] NotCanonical =
    [
        // A 4-byte record at 0x1220 breaks the 16-byte rhythm; we write 16-byte records straight through.
        "real/fwupd/at90usbkey123.hex",

        // Unaligned 32-byte records run across 0x8500, a multiple of 1792 where srec_cat and we start a new record.
        "real/gicking/test.ihx",
    ];

    public static TheoryData<string> HexVectors => VectorManifest.Names(e => e.Kind == "hex");

    public static TheoryData<string> CorruptHexVectors => VectorManifest.Names(e => e.Kind == "corrupt" && e.Format == "ihex");

    public static TheoryData<string> TextPairs => VectorManifest.Names(e =>
        e.Kind is "hex" or "srec" && TextPartners(e.Name).Any());

    [VectorsTheory]
    [MemberData(nameof(HexVectors))]
    public void Read_ManifestVector_MatchesExpectedFacts(string name)
    {
        VectorEntry entry = VectorManifest.Get(name);
        JsonElement expected = entry.Expected;

        IntelHexFile file = IntelHex.Read(entry.ReadBytes());

        file.Image.ShouldHaveSegments(expected);
        file.RecordCounts.Should().Equal(MemoryImageExpectedFacts.RecordCounts(expected, 6, t => $"{t:X2}"));
        file.DataRecordCount.Should().Be(expected.GetProperty("data_records").GetInt32());
        file.MaxRecordDataLength.Should().Be(expected.GetProperty("max_record_data_length").GetInt32());
        file.LineEndings.Should().Be(MemoryImageExpectedFacts.LineEndings(expected));
        file.Addressing.Should().Be(expected.GetProperty("addressing").GetString() switch
        {
            "16-bit" => IntelHexAddressing.Bits16,
            "linear" => IntelHexAddressing.Linear,
            "segment" => IntelHexAddressing.Segment,
            var other => throw new InvalidOperationException(other),
        });
        ShouldHaveStart(file.StartAddress, expected.GetProperty("start_address"));
    }

    [VectorsTheory]
    [MemberData(nameof(CorruptHexVectors))]
    public void Read_CorruptVector_ThrowsRequiredErrorAtLine(string name)
    {
        VectorEntry entry = VectorManifest.Get(name);
        byte[] bytes = entry.ReadBytes();
        string code = entry.RequiredErrorCodes.Single();

        Action read = () => IntelHex.Read(bytes);

        TextFormats.ShouldRejectAtLine(read, MemoryImageExpectedFacts.ErrorFor(code), MemoryImageExpectedFacts.ExpectedLine(entry, code, bytes));
    }

    [VectorsTheory]
    [MemberData(nameof(HexVectors))]
    public void Write_ReadBack_GivesEqualImage(string name)
    {
        IntelHexFile file = IntelHex.Read(VectorManifest.Get(name).ReadBytes());

        IntelHexFile back = IntelHex.Read(WriteLike(file));

        back.Image.Should().Be(file.Image);
        back.StartAddress.Should().Be(file.StartAddress);
    }

    [VectorsTheory]
    [MemberData(nameof(HexVectors))]
    public void Write_SameLayoutAsRead_ReproducesCanonicalFilesByteForByte(string name)
    {
        byte[] original = VectorManifest.Get(name).ReadBytes();
        IntelHexFile file = IntelHex.Read(original);

        bool same = WriteLike(file).AsSpan().SequenceEqual(original);

        same.Should().Be(Canonical.Contains(name), "the canonical list says whether {0} is in srec_cat's layout", name);
    }

    [VectorsFact]
    public void CanonicalLists_CoverEveryManifestHexVector()
    {
        Canonical.Concat(NotCanonical).Should().BeEquivalentTo(VectorManifest.Entries.Where(e => e.Kind == "hex").Select(e => e.Name));
    }

    [VectorsTheory]
    [MemberData(nameof(TextPairs))]
    public void Read_SameDataAsPair_GivesEqualImages(string name)
    {
        MemoryImage image = ReadText(name);

        foreach (string other in TextPartners(name))
        {
            ReadText(other).Should().Be(image, "{0} and {1} describe the same data", name, other);
        }
    }

    internal static MemoryImage ReadText(string name)
    {
        VectorEntry entry = VectorManifest.Get(name);
        return entry.Kind == "hex" ? IntelHex.Read(entry.ReadBytes()).Image : SRecord.Read(entry.ReadBytes()).Image;
    }

    private static IEnumerable<string> TextPartners(string name)
        => MemoryImageExpectedFacts.SameDataAs(name).Where(o => VectorManifest.Get(o).Kind is "hex" or "srec");

    private static byte[] WriteLike(IntelHexFile file)
    {
        return TextFormats.IntelHexBytes(file.Image, new IntelHexWriteOptions
        {
            RecordLength = Math.Max(1, file.MaxRecordDataLength),
            Addressing = file.Addressing,
            StartAddress = file.StartAddress,
            LineEnding = file.LineEndings == LineEndings.CrLf ? LineEndings.CrLf : LineEndings.Lf,
        });
    }

    private static void ShouldHaveStart(IntelHexStartAddress? actual, JsonElement expected)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            actual.Should().BeNull();
            return;
        }

        IntelHexStartAddress start = actual!.Value;
        if (expected.GetProperty("type").GetString() == "linear")
        {
            start.Kind.Should().Be(IntelHexStartKind.Linear);
            start.Value.Should().Be(expected.GetProperty("eip").GetUInt32());
            start.Address.Should().Be(start.Value);
        }
        else
        {
            start.Kind.Should().Be(IntelHexStartKind.Segment);
            start.CodeSegment.Should().Be(expected.GetProperty("cs").GetUInt16());
            start.InstructionPointer.Should().Be(expected.GetProperty("ip").GetUInt16());
            start.Address.Should().Be(expected.GetProperty("linear").GetUInt32());
            start.Value.Should().Be(expected.GetProperty("raw32").GetUInt32());
        }
    }
}
