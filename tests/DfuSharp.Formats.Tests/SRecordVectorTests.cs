using System.Text.Json;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class SRecordVectorTests
{
    /// <summary>
    /// Vectors our writer reproduces byte for byte from what it read (same record length, header, count record and start
    /// address; automatic address width): everything srec_cat wrote, and the real files laid out the same way.
    /// </summary>
    private static readonly string[] Canonical =
    [
        "gen/srec/s1_s9.srec", "gen/srec/s2_s8.srec", "gen/srec/s3_s7_gaps.srec", "gen/srec/s3_no_start.srec",
        "gen/srec/data_only.s19", "gen/srec/for_dfuse.s19", "real/gicking/OPT2_default.s19",
    ];

    /// <summary>Vectors laid out otherwise, and why.</summary>
    private static readonly string[] NotCanonical =
    [
        // S1 records below 0x10000 and S2 above; we write one record type for the whole file (S2).
        "real/gicking/test.s19",
    ];

    public static TheoryData<string> SRecordVectors => VectorManifest.Names(e => e.Kind == "srec");

    public static TheoryData<string> CorruptSRecordVectors => VectorManifest.Names(e => e.Kind == "corrupt" && e.Format == "srec");

    [VectorsTheory]
    [MemberData(nameof(SRecordVectors))]
    public void Read_ManifestVector_MatchesExpectedFacts(string name)
    {
        VectorEntry entry = VectorManifest.Get(name);
        JsonElement expected = entry.Expected;

        SRecordFile file = SRecord.Read(entry.ReadBytes());

        file.Image.ShouldHaveSegments(expected);
        file.RecordCounts.Should().Equal(MemoryImageExpectedFacts.RecordCounts(expected, 10, t => $"S{t}"));
        file.DataRecordCount.Should().Be(expected.GetProperty("data_records").GetInt32());
        file.MaxRecordDataLength.Should().Be(expected.GetProperty("max_record_data_length").GetInt32());
        file.StartAddress.Should().Be(expected.GetProperty("start_address") is { ValueKind: JsonValueKind.Number } s ? s.GetUInt32() : null);
        file.CountRecord.Should().Be(expected.GetProperty("count_record") is { ValueKind: JsonValueKind.Number } c ? c.GetInt32() : null);
        JsonElement header = expected.GetProperty("header");
        if (header.ValueKind == JsonValueKind.Null)
        {
            file.Header.Should().BeNull();
            file.HeaderText.Should().BeNull();
        }
        else
        {
            Convert.ToHexStringLower(file.Header!.Value.Span).Should().Be(header.GetProperty("hex").GetString());
            file.HeaderText.Should().Be(header.GetProperty("text").GetString()!.TrimEnd('\0'));
        }

        string[] dataTypes = expected.GetProperty("data_record_types").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Enumerable.Range(1, 3).Where(t => file.RecordCounts[t] > 0).Select(t => $"S{t}").Should().Equal(dataTypes);
    }

    [VectorsTheory]
    [MemberData(nameof(CorruptSRecordVectors))]
    public void Read_CorruptVector_ThrowsFirstErrorAtLine(string name)
    {
        VectorEntry entry = VectorManifest.Get(name);
        byte[] bytes = entry.ReadBytes();
        string code = entry.RequiredErrorCodes.Single();

        Action read = () => SRecord.Read(bytes);

        TextFormats.ShouldRejectAtLine(read, MemoryImageExpectedFacts.ErrorFor(code), MemoryImageExpectedFacts.ExpectedLine(entry, code, bytes));
    }

    [VectorsTheory]
    [MemberData(nameof(SRecordVectors))]
    public void Write_ReadBack_GivesEqualFile(string name)
    {
        SRecordFile file = SRecord.Read(VectorManifest.Get(name).ReadBytes());

        SRecordFile back = SRecord.Read(WriteLike(file));

        back.Image.Should().Be(file.Image);
        back.StartAddress.Should().Be(file.StartAddress);
        back.HeaderText.Should().Be(file.HeaderText);
        back.CountRecord.Should().Be(file.CountRecord);
    }

    [VectorsTheory]
    [MemberData(nameof(SRecordVectors))]
    public void Write_SameLayoutAsRead_ReproducesCanonicalFilesByteForByte(string name)
    {
        byte[] original = VectorManifest.Get(name).ReadBytes();
        SRecordFile file = SRecord.Read(original);

        bool same = WriteLike(file).AsSpan().SequenceEqual(original);

        same.Should().Be(Canonical.Contains(name), "the canonical list says whether {0} is in srec_cat's layout", name);
    }

    [VectorsFact]
    public void CanonicalLists_CoverEveryManifestSRecordVector()
    {
        Canonical.Concat(NotCanonical).Should().BeEquivalentTo(VectorManifest.Entries.Where(e => e.Kind == "srec").Select(e => e.Name));
    }

    private static byte[] WriteLike(SRecordFile file)
    {
        return TextFormats.SRecordBytes(file.Image, new SRecordWriteOptions
        {
            RecordLength = Math.Max(1, file.MaxRecordDataLength),
            Header = file.Header,
            StartAddress = file.StartAddress,
            WriteCountRecord = file.CountRecord is not null,
            WriteTerminationRecord = file.StartAddress is not null,
            LineEnding = file.LineEndings == LineEndings.CrLf ? LineEndings.CrLf : LineEndings.Lf,
        });
    }
}
