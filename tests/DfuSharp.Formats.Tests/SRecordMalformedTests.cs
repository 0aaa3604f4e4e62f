using System.Globalization;
using System.Text;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class SRecordMalformedTests
{
    public static TheoryData<string, string, DfuFormatError, int> Cases() => new()
    {
        { "not an S-record", "X1061000010203E3\n", DfuFormatError.RecordSyntax, 1 },
        { "type is not a digit", "SA061000010203E3\n", DfuFormatError.RecordSyntax, 1 },
        { "lone S", "S\n", DfuFormatError.RecordSyntax, 1 },
        { "non-hex digit", "S1061000010G03E3\n", DfuFormatError.RecordSyntax, 1 },
        { "odd number of digits", "S1061000010203E\n", DfuFormatError.RecordLengthMismatch, 1 },
        { "byte count too large", "S1071000010203E3\n", DfuFormatError.RecordLengthMismatch, 1 },
        { "byte count too small", "S1051000010203E3\n", DfuFormatError.RecordLengthMismatch, 1 },
        { "too short for its address", "S10200FD\n", DfuFormatError.RecordLengthMismatch, 1 },
        { "line longer than any record", "S1" + new string('0', 600) + "\n", DfuFormatError.RecordLengthMismatch, 1 },
        { "checksum off by one", Rec(0, 0, "HDR") + "\n" + "S1061000010203E4\n", DfuFormatError.RecordChecksumMismatch, 2 },
        { "reserved S4", Rec(4, 0) + "\n", DfuFormatError.RecordSyntax, 1 },
        { "S5 count too small", Rec(1, 0x1000, 1) + "\n" + Rec(1, 0x1001, 2) + "\n" + Rec(5, 1) + "\n", DfuFormatError.CountRecordMismatch, 3 },
        { "S6 count too large", Rec(2, 0x1_0000, 1) + "\n" + Rec(6, 2) + "\n", DfuFormatError.CountRecordMismatch, 2 },
        { "record after termination", Rec(9, 0) + "\n" + Rec(1, 0, 1) + "\n", DfuFormatError.RecordSyntax, 2 },
        { "data past 0xFFFFFFFF", Rec(3, 0xFFFF_FFFF, 1, 2) + "\n", DfuFormatError.AddressOverflow, 1 },
        { "same address, different bytes", Rec(1, 0x10, 1, 2, 3) + "\n" + Rec(2, 0x11, 2, 4) + "\n", DfuFormatError.OverlappingData, 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Read_MalformedInput_ThrowsDfuFormatExceptionWithErrorAndLine(string why, string text, DfuFormatError error, int line)
    {
        Action read = () => SRecord.Read(Encoding.ASCII.GetBytes(text));

        TextFormats.ShouldRejectAtLine(read, error, line, why);
    }

    [Fact]
    public void Read_MixedDataRecordsWithoutTermination_MergesIntoOneImage()
    {
        string text = Rec(1, 0xFFFE, 1, 2) + "\r\n" + Rec(2, 0x1_0000, 3) + "\r\n" + Rec(3, 0x1_0001, 4) + "\r\n";

        SRecordFile file = SRecord.Read(Encoding.ASCII.GetBytes(text));

        file.Image.Should().Be(MemoryImage.FromBytes(0xFFFE, [1, 2, 3, 4]));
        file.StartAddress.Should().BeNull();
        file.Header.Should().BeNull();
        file.CountRecord.Should().BeNull();
        file.DataRecordCount.Should().Be(3);
        file.LineEndings.Should().Be(LineEndings.CrLf);
    }

    [Fact]
    public void Read_HeaderWithTrailingNuls_KeepsBytesAndTrimsText()
    {
        SRecordFile file = SRecord.Read(Encoding.ASCII.GetBytes(Rec(0, 0, "hello\0\0") + "\n" + Rec(9, 0xFFFF) + "\n"));

        file.Header!.Value.ToArray().Should().Equal(Encoding.ASCII.GetBytes("hello\0\0"));
        file.HeaderText.Should().Be("hello");
        file.StartAddress.Should().Be(0xFFFF);
    }

    [Fact]
    public void Read_S5CountAbove65535_ComparesModulo65536()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 0x1_0001; i++)
        {
            text.Append(Rec(2, (uint)i, (byte)i)).Append('\n');
        }

        text.Append(Rec(5, 1)).Append('\n');

        SRecord.Read(Encoding.ASCII.GetBytes(text.ToString())).CountRecord.Should().Be(1);
    }

    [Fact]
    public void Read_StreamAndTextReader_GiveTheSameFileAsSpan()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Rec(0, 0, "x") + "\n" + Rec(3, 0x0800_0000, 1, 2) + "\n" + Rec(5, 1) + "\n" + Rec(7, 0x0800_0000) + "\n");
        SRecordFile expected = SRecord.Read(bytes);

        SRecord.Read(new MemoryStream(bytes)).Should().Be(expected);
        SRecord.Read(new StringReader(Encoding.ASCII.GetString(bytes))).Should().Be(expected);
    }

    /// <summary>An S-record with a correct byte count and checksum.</summary>
    internal static string Rec(int type, uint address, params byte[] data)
    {
        int addressLength = type switch { 0 or 1 or 5 or 9 => 2, 2 or 6 or 8 => 3, _ => 4 };
        byte[] body = [(byte)(addressLength + data.Length + 1), .. Enumerable.Range(0, addressLength).Select(i => (byte)(address >> (8 * (addressLength - 1 - i)))), .. data];
        byte checksum = (byte)~body.Sum(b => b);
        return "S" + type.ToString(CultureInfo.InvariantCulture) + Convert.ToHexString(body) + checksum.ToString("X2", CultureInfo.InvariantCulture);
    }

    private static string Rec(int type, uint address, string text) => Rec(type, address, Encoding.ASCII.GetBytes(text));
}
