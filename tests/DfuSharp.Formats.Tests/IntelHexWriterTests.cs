using System.Buffers;
using System.Text;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class IntelHexWriterTests
{
    [Fact]
    public void Write_EmptyImage_WritesOnlyTheEofRecord()
    {
        Write(MemoryImage.Empty).Should().Be(":00000001FF\n");
    }

    [Fact]
    public void Write_LinearWithStartAddress_WritesExtendedAddressDataStartAndEof()
    {
        MemoryImage image = MemoryImage.FromBytes(0x0800_0000, [0x01, 0x02]);

        string text = Write(image, new IntelHexWriteOptions { StartAddress = IntelHexStartAddress.Linear(0x0800_0101) });

        text.Should().Be(":020000040800F2\n:020000000102FB\n:0400000508000101ED\n:00000001FF\n");
    }

    [Fact]
    public void Write_DefaultOptions_Writes16ByteRecordsAndExtendedAddressFirst()
    {
        MemoryImage image = MemoryImage.FromBytes(0x20, new byte[40]);

        string[] lines = Write(image).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        lines.Select(l => l[..9]).Should().Equal(":02000004", ":10002000", ":10003000", ":08004000", ":00000001");
    }

    [Fact]
    public void Write_CrLf_EndsEveryLineWithCrLf()
    {
        string text = Write(MemoryImage.FromBytes(0, [1]), new IntelHexWriteOptions { LineEnding = LineEndings.CrLf });

        text.Should().Be(":020000040000FA\r\n:0100000001FE\r\n:00000001FF\r\n");
    }

    [Fact]
    public void Write_SegmentAddressingAcross64KiB_SplitsTheRecordAtTheBoundary()
    {
        MemoryImage image = MemoryImage.FromBytes(0xFFFE, [1, 2, 3, 4]);

        string text = Write(image, new IntelHexWriteOptions { Addressing = IntelHexAddressing.Segment });

        text.Should().Be(":020000020000FC\n:02FFFE000102FE\n:020000021000EC\n:020000000304F7\n:00000001FF\n");
        IntelHex.Read(Encoding.ASCII.GetBytes(text)).Image.Should().Be(image);
    }

    [Fact]
    public void Write_LinearAddressingAcross64KiB_KeepsOneRecordAsSrecCatDoes()
    {
        MemoryImage image = MemoryImage.FromBytes(0xFFFE, [1, 2, 3, 4]);

        string text = Write(image);

        text.Should().Be(":020000040000FA\n:04FFFE0001020304F5\n:00000001FF\n");
        IntelHex.Read(Encoding.ASCII.GetBytes(text)).Image.Should().Be(image);
    }

    [Fact]
    public void Write_RunAcross1792ByteBoundary_StartsANewRecordThere()
    {
        MemoryImage image = MemoryImage.FromBytes(0x6F8, new byte[16]);

        string[] lines = Write(image).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        lines.Select(l => l[..9]).Should().Equal(":02000004", ":0806F800", ":08070000", ":00000001");
    }

    [Fact]
    public void Write_DataAtTopOfAddressSpace_RoundTrips()
    {
        MemoryImage image = MemoryImage.FromBytes(0xFFFF_FFF0, Enumerable.Range(0, 16).Select(i => (byte)i).ToArray());

        IntelHex.Read(Encoding.ASCII.GetBytes(Write(image))).Image.Should().Be(image);
    }

    [Theory]
    [InlineData(IntelHexAddressing.Bits16, 0xFFFFu, 2)]
    [InlineData(IntelHexAddressing.Segment, 0xF_FFFFu, 2)]
    public void Write_DataBeyondTheAddressing_ThrowsAddressOverflowAndWritesNothing(IntelHexAddressing addressing, uint address, int length)
    {
        var output = new ArrayBufferWriter<byte>();

        Action write = () => IntelHex.Write(MemoryImage.FromBytes(address, new byte[length]), output, new IntelHexWriteOptions { Addressing = addressing });

        write.Should().Throw<DfuFormatException>().Which.Error.Should().Be(DfuFormatError.AddressOverflow);
        output.WrittenCount.Should().Be(0);
    }

    [Theory]
    [InlineData(0, IntelHexAddressing.Linear, LineEndings.Lf)]
    [InlineData(256, IntelHexAddressing.Linear, LineEndings.Lf)]
    [InlineData(16, IntelHexAddressing.Mixed, LineEndings.Lf)]
    [InlineData(16, IntelHexAddressing.Linear, LineEndings.None)]
    [InlineData(16, IntelHexAddressing.Linear, LineEndings.Lf | LineEndings.CrLf)]
    public void Write_BadOption_ThrowsArgumentOutOfRange(int recordLength, IntelHexAddressing addressing, LineEndings lineEnding)
    {
        var options = new IntelHexWriteOptions { RecordLength = recordLength, Addressing = addressing, LineEnding = lineEnding };

        Action write = () => IntelHex.Write(MemoryImage.FromBytes(0, [1]), new ArrayBufferWriter<byte>(), options);

        write.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Write_RandomImagesAllOptions_ReadBackEqual()
    {
        var random = new Random(5);
        for (int i = 0; i < 60; i++)
        {
            IntelHexAddressing addressing = (IntelHexAddressing)random.Next(3);
            ulong limit = addressing switch { IntelHexAddressing.Bits16 => 0x1_0000, IntelHexAddressing.Segment => 0x10_0000, _ => 0x1_0000_0000 };
            MemoryImage image = MemoryImageRandom.Image(MemoryImageRandom.Segments(random, (uint)random.NextInt64(0, (long)limit / 2), limit, 4, 2000));
            var options = new IntelHexWriteOptions
            {
                Addressing = addressing,
                RecordLength = random.Next(1, 256),
                LineEnding = random.Next(2) == 0 ? LineEndings.Lf : LineEndings.CrLf,
                StartAddress = random.Next(2) == 0 ? IntelHexStartAddress.Linear((uint)random.Next()) : IntelHexStartAddress.Segment(1, 2),
            };

            IntelHexFile back = IntelHex.Read(Encoding.ASCII.GetBytes(Write(image, options)));

            back.Image.Should().Be(image);
            back.StartAddress.Should().Be(options.StartAddress);
            back.LineEndings.Should().Be(options.LineEnding);
            back.MaxRecordDataLength.Should().BeLessThanOrEqualTo(options.RecordLength);
        }
    }

    private static string Write(MemoryImage image, IntelHexWriteOptions? options = null)
        => Encoding.ASCII.GetString(TextFormats.IntelHexBytes(image, options));
}
