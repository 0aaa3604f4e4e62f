using System.Buffers;
using System.Text;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class SRecordWriterTests
{
    [Fact]
    public void Write_HeaderDataCountAndStart_WritesSrecCatLayout()
    {
        var options = new SRecordWriteOptions { Header = "HDR"u8.ToArray(), StartAddress = 0x1000 };

        string text = Write(MemoryImage.FromBytes(0x1000, [1, 2, 3]), options);

        text.Should().Be("S00600004844521B\nS1061000010203E3\nS5030001FB\nS9031000EC\n");
    }

    [Fact]
    public void Write_DefaultOptions_WritesHeaderDataCountAndTermination()
    {
        Write(MemoryImage.FromBytes(0x10, [0xAA])).Should().Be("S0030000FC\nS1040010AA41\nS5030001FB\nS9030000FC\n");
    }

    [Fact]
    public void Write_NoCountRecordCrLf_WritesDataOnlyWithCrLf()
    {
        var options = new SRecordWriteOptions { Header = null, WriteCountRecord = false, WriteTerminationRecord = false, LineEnding = LineEndings.CrLf };

        Write(MemoryImage.FromBytes(0x10, [0xAA]), options).Should().Be("S1040010AA41\r\n");
    }

    [Theory]
    [InlineData(0xFFFFu, 0u, "S1", "S9")]
    [InlineData(0x1_0000u, 0u, "S2", "S8")]
    [InlineData(0xFF_FFFFu, 0u, "S2", "S8")]
    [InlineData(0x100_0000u, 0u, "S3", "S7")]
    [InlineData(0x10u, 0x100_0000u, "S3", "S7")]
    public void Write_AutomaticWidth_FitsTheHighestAddressAndStart(uint address, uint start, string data, string termination)
    {
        string[] lines = Write(MemoryImage.FromBytes(address, [1]), new SRecordWriteOptions { StartAddress = start })
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

        lines.Select(l => l[..2]).Should().Equal("S0", data, "S5", termination);
    }

    [Fact]
    public void Write_RecordEndingPast64KiB_UsesS2EvenThoughItStartsBelow()
    {
        string text = Write(MemoryImage.FromBytes(0xFFFF, [1, 2]), new SRecordWriteOptions { Header = null });

        text.Should().StartWith("S2");
    }

    [Fact]
    public void Write_ForcedWidthTooNarrow_ThrowsAddressOverflowAndWritesNothing()
    {
        var output = new ArrayBufferWriter<byte>();

        Action write = () => SRecord.Write(MemoryImage.FromBytes(0x1_0000, [1]), output, new SRecordWriteOptions { AddressWidth = SRecordAddressWidth.Bits16 });

        write.Should().Throw<DfuFormatException>().Which.Error.Should().Be(DfuFormatError.AddressOverflow);
        output.WrittenCount.Should().Be(0);
    }

    [Fact]
    public void Write_ForcedWiderThanNeeded_UsesTheForcedType()
    {
        Write(MemoryImage.FromBytes(0x10, [1]), new SRecordWriteOptions { Header = null, AddressWidth = SRecordAddressWidth.Bits32, WriteCountRecord = false })
            .Should().StartWith("S30600000010");
    }

    [Fact]
    public void Write_MoreThan65535Records_WritesS6()
    {
        string text = Write(MemoryImage.FromBytes(0, new byte[0x1_0000]), new SRecordWriteOptions { RecordLength = 1 });

        text.Should().EndWith("\nS604010000FA\nS9030000FC\n");
        SRecord.Read(Encoding.ASCII.GetBytes(text)).CountRecord.Should().Be(0x1_0000);
    }

    [Theory]
    [InlineData(SRecordAddressWidth.Bits16, 252, true)]
    [InlineData(SRecordAddressWidth.Bits16, 253, false)]
    [InlineData(SRecordAddressWidth.Bits32, 250, true)]
    [InlineData(SRecordAddressWidth.Bits32, 251, false)]
    public void Write_RecordLengthLimit_DependsOnTheAddressWidth(SRecordAddressWidth width, int recordLength, bool allowed)
    {
        var options = new SRecordWriteOptions { AddressWidth = width, RecordLength = recordLength };
        MemoryImage image = MemoryImage.FromBytes(0, new byte[300]);

        Action write = () => SRecord.Write(image, new ArrayBufferWriter<byte>(), options);

        if (allowed)
        {
            write.Should().NotThrow();
            SRecord.Read(Encoding.ASCII.GetBytes(Write(image, options))).MaxRecordDataLength.Should().Be(recordLength);
        }
        else
        {
            write.Should().Throw<ArgumentOutOfRangeException>();
        }
    }

    [Fact]
    public void Write_HeaderLongerThan252Bytes_ThrowsArgumentOutOfRange()
    {
        Action write = () => SRecord.Write(MemoryImage.Empty, new ArrayBufferWriter<byte>(), new SRecordWriteOptions { Header = new byte[253] });

        write.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Write_RandomImagesAllOptions_ReadBackEqual()
    {
        var random = new Random(6);
        for (int i = 0; i < 60; i++)
        {
            MemoryImage image = MemoryImageRandom.Image(MemoryImageRandom.Segments(random, (uint)random.NextInt64(0, 0xFFFF_0000), 0x1_0000_0000, 4, 2000));
            var options = new SRecordWriteOptions
            {
                RecordLength = random.Next(1, 251),
                Header = random.Next(2) == 0 ? null : (ReadOnlyMemory<byte>?)Encoding.ASCII.GetBytes("h" + i),
                StartAddress = random.Next(2) == 0 ? null : (uint)random.Next(),
                WriteCountRecord = random.Next(2) == 0,
            };

            SRecordFile back = SRecord.Read(Encoding.ASCII.GetBytes(Write(image, options)));

            back.Image.Should().Be(image);
            back.StartAddress.Should().Be(options.StartAddress ?? 0, "the termination record is always written");
            back.HeaderText.Should().Be(options.Header is null ? null : "h" + i);
            (back.CountRecord is not null).Should().Be(options.WriteCountRecord);
        }
    }

    private static string Write(MemoryImage image, SRecordWriteOptions? options = null)
        => Encoding.ASCII.GetString(TextFormats.SRecordBytes(image, options));
}
