using System.Globalization;
using System.Text;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class IntelHexMalformedTests
{
    public static TheoryData<string, string, DfuFormatError, int> Cases() => new()
    {
        { "empty file", "", DfuFormatError.MissingEofRecord, 1 },
        { "no EOF record", Rec(0, 0, 0x41) + "\n", DfuFormatError.MissingEofRecord, 2 },
        { "no EOF record, no final newline", Rec(0, 0, 0x41) + "\n" + Rec(0, 1, 0x42), DfuFormatError.MissingEofRecord, 3 },
        { "missing start code", "X0100000041BE\n:00000001FF\n", DfuFormatError.RecordSyntax, 1 },
        { "non-hex digit", ":01000000G1BE\n:00000001FF\n", DfuFormatError.RecordSyntax, 1 },
        { "odd number of digits", ":0100000041B\n:00000001FF\n", DfuFormatError.RecordLengthMismatch, 1 },
        { "too short for a record", ":00000001F\n", DfuFormatError.RecordLengthMismatch, 1 },
        { "byte count too large", ":0200000041BD\n:00000001FF\n", DfuFormatError.RecordLengthMismatch, 1 },
        { "byte count too small", ":0000000041BF\n:00000001FF\n", DfuFormatError.RecordLengthMismatch, 1 },
        { "line longer than any record", ":" + new string('0', 600) + "\n", DfuFormatError.RecordLengthMismatch, 1 },
        { "checksum off by one", ":0100000041BF\n:00000001FF\n", DfuFormatError.RecordChecksumMismatch, 1 },
        { "checksum after blank lines", "\n\r\n  \n:0100000041BF\n", DfuFormatError.RecordChecksumMismatch, 4 },
        { "unknown record type 06", Rec(6, 0) + "\n" + Eof, DfuFormatError.RecordSyntax, 1 },
        { "EOF record with data", Rec(1, 0, 0x00) + "\n", DfuFormatError.RecordSyntax, 1 },
        { "04 record with one byte", Rec(4, 0, 0x01) + "\n" + Eof, DfuFormatError.RecordSyntax, 1 },
        { "02 record with three bytes", Rec(2, 0, 1, 2, 3) + "\n" + Eof, DfuFormatError.RecordSyntax, 1 },
        { "05 record with two bytes", Rec(5, 0, 1, 2) + "\n" + Eof, DfuFormatError.RecordSyntax, 1 },
        { "record after EOF", Eof + Rec(0, 0, 0x41) + "\n", DfuFormatError.RecordSyntax, 2 },
        { "data past 0xFFFFFFFF", Rec(4, 0, 0xFF, 0xFF) + "\n" + Rec(0, 0xFFFF, 1, 2) + "\n" + Eof, DfuFormatError.AddressOverflow, 2 },
        { "same address, different bytes", Rec(0, 0x10, 1, 2, 3) + "\n" + Rec(0, 0x20, 9) + "\n" + Rec(0, 0x11, 2, 4) + "\n" + Eof, DfuFormatError.OverlappingData, 3 },
        { "overlap found after a later 04 jump back", Rec(4, 0, 0, 1) + "\n" + Rec(0, 0, 5) + "\n" + Rec(4, 0, 0, 0) + "\n" + Rec(0, 0, 6) + "\n" + Rec(4, 0, 0, 1) + "\n" + Rec(0, 0, 7) + "\n" + Eof, DfuFormatError.OverlappingData, 6 },
    };

    private static string Eof => ":00000001FF\n";

    [Theory]
    [MemberData(nameof(Cases))]
    public void Read_MalformedInput_ThrowsDfuFormatExceptionWithErrorAndLine(string why, string text, DfuFormatError error, int line)
    {
        Action read = () => IntelHex.Read(Encoding.ASCII.GetBytes(text));

        TextFormats.ShouldRejectAtLine(read, error, line, why);
    }

    [Fact]
    public void Read_SegmentRecordAcrossSegmentEnd_WrapsInsideTheSegment()
    {
        string text = Rec(2, 0, 0x10, 0x00) + "\n" + Rec(0, 0xFFFF, 0xAA, 0xBB) + "\n" + Eof;

        IntelHexFile file = IntelHex.Read(Encoding.ASCII.GetBytes(text));

        file.Image.Should().Be(MemoryImage.FromBytes(0x1_0000, [0xBB]).Merge(MemoryImage.FromBytes(0x1_FFFF, [0xAA])));
        file.Addressing.Should().Be(IntelHexAddressing.Segment);
    }

    [Fact]
    public void Read_LinearRecordAcross64KiB_ContinuesLinearly()
    {
        string text = Rec(4, 0, 0x00, 0x01) + "\n" + Rec(0, 0xFFFF, 0xAA, 0xBB) + "\n" + Eof;

        IntelHexFile file = IntelHex.Read(Encoding.ASCII.GetBytes(text));

        file.Image.Should().Be(MemoryImage.FromBytes(0x1_FFFF, [0xAA, 0xBB]));
    }

    [Fact]
    public void Read_LowerCaseWhiteSpaceCrLfAndCtrlZ_AreAccepted()
    {
        string text = "  " + Rec(0, 0x100, 0xAB, 0xCD).ToLowerInvariant() + " \t\r\n\r\n" + Eof.TrimEnd() + "\r\n\x1A";

        IntelHexFile file = IntelHex.Read(Encoding.ASCII.GetBytes(text));

        file.Image.Should().Be(MemoryImage.FromBytes(0x100, [0xAB, 0xCD]));
        file.LineEndings.Should().Be(LineEndings.CrLf);
    }

    [Fact]
    public void Read_StartSegmentRecord_GivesCsIpAndSpecAddress()
    {
        string text = Rec(3, 0, 0x12, 0x34, 0x56, 0x78) + "\n" + Eof;

        IntelHexStartAddress start = IntelHex.Read(Encoding.ASCII.GetBytes(text)).StartAddress!.Value;

        start.Kind.Should().Be(IntelHexStartKind.Segment);
        start.CodeSegment.Should().Be(0x1234);
        start.InstructionPointer.Should().Be(0x5678);
        start.Address.Should().Be((0x1234u << 4) + 0x5678u);
        start.Value.Should().Be(0x1234_5678u);
    }

    [Fact]
    public void Read_StreamAndTextReader_GiveTheSameFileAsSpan()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Rec(4, 0, 0x08, 0x00) + "\n" + Rec(0, 0, 1, 2, 3) + "\n" + Rec(5, 0, 8, 0, 0, 1) + "\n" + Eof);
        IntelHexFile expected = IntelHex.Read(bytes);

        IntelHex.Read(new MemoryStream(bytes)).Should().Be(expected);
        IntelHex.Read(new StringReader(Encoding.ASCII.GetString(bytes))).Should().Be(expected);
    }

    /// <summary>An Intel HEX record with a correct checksum.</summary>
    internal static string Rec(byte type, ushort offset, params byte[] data)
    {
        byte[] record = [(byte)data.Length, (byte)(offset >> 8), (byte)offset, type, .. data];
        byte checksum = (byte)-record.Sum(b => b);
        return ":" + Convert.ToHexString(record) + checksum.ToString("X2", CultureInfo.InvariantCulture);
    }
}
