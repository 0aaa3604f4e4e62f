using System.Buffers;
using System.Collections.Immutable;
using CsCheck;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests.Properties;

/// <summary>Every codec reads back what it wrote, for generated images and options (CsCheck shrinks a failure).</summary>
public sealed class CodecRoundTripProperties
{
    private static readonly Gen<LineEndings> s_lineEnding = Gen.OneOf(LineEndings.Lf, LineEndings.CrLf);

    [Fact]
    public void IntelHex_WriteThenRead_GivesTheImage()
        => Gen.Select(FormatGen.Image, Gen.Int[1, 255], s_lineEnding).Sample((image, recordLength, lineEnding) =>
        {
            var writer = new ArrayBufferWriter<byte>();
            IntelHex.Write(image, writer, new IntelHexWriteOptions { RecordLength = recordLength, LineEnding = lineEnding });

            IntelHexFile file = IntelHex.Read(writer.WrittenSpan);

            file.Image.Should().Be(image);
            file.LineEndings.Should().Be(image.IsEmpty ? file.LineEndings : lineEnding);
        });

    [Fact]
    public void SRecord_WriteThenRead_GivesTheImageAndHeader()
        => Gen.Select(FormatGen.Image, Gen.Int[1, 250], Gen.Byte[1, 255].Array[1, 20], s_lineEnding)
            .Sample((image, recordLength, header, lineEnding) =>
            {
                var writer = new ArrayBufferWriter<byte>();
                SRecord.Write(image, writer, new SRecordWriteOptions { RecordLength = recordLength, Header = header, LineEnding = lineEnding });

                SRecordFile file = SRecord.Read(writer.WrittenSpan);

                file.Image.Should().Be(image);
                file.Header!.Value.ToArray().Should().Equal(header);
            });

    [Fact]
    public void RawBinary_WriteThenReadAtTheStartAddress_GivesTheImageWithGapsFilled()
        => Gen.Select(FormatGen.LocalImage, Gen.Byte).Sample((image, fill) =>
        {
            var writer = new ArrayBufferWriter<byte>();
            RawBinary.Write(image, writer, fill);

            MemoryImage read = RawBinary.Read(writer.WrittenSpan, image.StartAddress);

            read.Should().Be(image.Fill(image.StartAddress, image.EndAddress, fill));
            writer.WrittenCount.Should().Be((int)image.SpanLength);
        });

    [Fact]
    public void DfuSuffix_WriteThenRead_GivesTheFile()
        => Gen.Select(Gen.Byte.Array[0, 300], Gen.UShort, Gen.UShort, Gen.UShort, Gen.OneOf(DfuSuffix.Dfu10, DfuSuffix.Dfu11))
            .Sample((firmware, vendor, product, release, dfuVersion) =>
            {
                var file = new DfuFile
                {
                    Firmware = firmware,
                    Suffix = new DfuSuffix { VendorId = vendor, ProductId = product, DeviceVersion = release, DfuVersion = dfuVersion },
                };

                byte[] bytes = file.ToArray();

                DfuFile.Read(bytes).Should().Be(file);
                DfuCrc32.Compute(bytes).Should().Be(0u, "the stored dwCRC completes the CRC of the whole file");
            });

    [Fact]
    public void DfuSe_WriteThenRead_GivesTheTargets()
    {
        Gen<DfuSeTarget> target = Gen.Select(
            FormatGen.Image,
            Gen.Byte,
            Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _-"], 1, 40].Null(),
            DfuSeConvert.ToTarget);
        Gen.Select(target.Array[1, 3], Gen.UShort, Gen.UShort).Sample((targets, vendor, product) =>
        {
            var image = new DfuSeImage([.. targets]);
            DfuFile file = DfuFile.FromDfuSe(image, new DfuSuffix { VendorId = vendor, ProductId = product, DfuVersion = DfuSuffix.DfuSe });

            DfuFile read = DfuFile.Read(file.ToArray());

            read.DfuSe.Should().Be(image);
            read.Suffix.Should().Be(file.Suffix);
            DfuSeCodec.GetEncodedLength(image).Should().Be(read.Firmware.Length);
        });
    }
}
