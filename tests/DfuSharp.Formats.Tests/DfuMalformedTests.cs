using System.Buffers.Binary;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>Each defect of a .dfu file raises a DfuFormatException with its own error and the offset of the bad field.</summary>
public sealed class DfuMalformedTests
{
    // Layout of the DfuSe file built by DfuSeFile(): prefix 0..10, target 0 at 11 (prefix 274 bytes), element 0 header
    // at 285, 100 data bytes at 293, element 1 header at 393, 20 data bytes at 401; suffix at 421.
    private const int Target0 = 11;
    private const int Element0 = Target0 + 274;
    private const int Element1 = Element0 + 8 + 100;
    private const int BodyEnd = Element1 + 8 + 20;

    [Fact]
    public void Read_EmptyFile_EmptyFileAtZero()
        => Check([], DfuFormatError.EmptyFile, 0);

    [Fact]
    public void Read_FifteenBytes_FileTooShortForSuffix()
        => Check(new byte[15], DfuFormatError.FileTooShortForSuffix, 0);

    [Fact]
    public void Read_NoSignature_BadSuffixSignatureAtSignatureField()
        => Check(new byte[40], DfuFormatError.BadSuffixSignature, 40 - 8);

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    public void Read_SuffixLengthBelowSixteen_SuffixLengthTooSmallAtBLength(byte bLength)
    {
        byte[] file = PlainFile(64);
        file[^5] = bLength;
        Check(FixCrc(file), DfuFormatError.SuffixLengthTooSmall, file.Length - 5);
    }

    [Fact]
    public void Read_SuffixLengthBeyondFile_SuffixLengthExceedsFileAtBLength()
    {
        byte[] file = PlainFile(4);
        file[^5] = 21;
        Check(FixCrc(file), DfuFormatError.SuffixLengthExceedsFile, file.Length - 5);
    }

    [Fact]
    public void Read_FlippedPayloadBit_CrcMismatchAtDwCrc()
    {
        byte[] file = PlainFile(64);
        file[3] ^= 0x10;
        Check(file, DfuFormatError.CrcMismatch, file.Length - 4);
    }

    [Fact]
    public void Read_OptionalSuffixWithBadCrc_StillCrcMismatch()
    {
        byte[] file = PlainFile(64);
        file[^1] ^= 0x01;
        Check(file, DfuFormatError.CrcMismatch, file.Length - 4, new DfuReadOptions { SuffixPolicy = DfuSuffixPolicy.Optional });
    }

    [Fact]
    public void Read_DfuSeSignatureOnly_DfuSePrefixTruncated()
    {
        byte[] file = new DfuFile { Firmware = "DfuSe\x01\x00"u8.ToArray(), Suffix = new DfuSuffix() }.ToArray();
        Check(file, DfuFormatError.DfuSePrefixTruncated, 7);
    }

    [Fact]
    public void Read_DfuSeVersionTwo_VersionUnsupportedAtBVersion()
        => Check(Patch(DfuSeFile(), f => f[5] = 2), DfuFormatError.DfuSeVersionUnsupported, 5);

    [Theory]
    [InlineData(BodyEnd - 1)]
    [InlineData(BodyEnd + 1)]
    [InlineData(BodyEnd + 15)]
    [InlineData(0)]
    [InlineData(uint.MaxValue)]
    public void Read_DfuSeImageSizeOfNeitherConvention_ImageSizeMismatchAtField(uint imageSize)
        => Check(Patch(DfuSeFile(), f => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(6), imageSize)), DfuFormatError.DfuSeImageSizeMismatch, 6);

    [Fact]
    public void Read_DfuSeMoreTargetsThanPresent_TargetPrefixTruncatedWhereTheMissingTargetStarts()
        => Check(Patch(DfuSeFile(), f => f[10] = 2), DfuFormatError.DfuSeTargetPrefixTruncated, BodyEnd);

    [Fact]
    public void Read_DfuSeZeroTargets_TrailingBytesAfterThePrefix()
        => Check(Patch(DfuSeFile(), f => f[10] = 0), DfuFormatError.DfuSeTrailingBytes, Target0);

    [Fact]
    public void Read_DfuSeBadTargetSignature_BadTargetSignatureAtTarget()
        => Check(Patch(DfuSeFile(), f => f[Target0 + 3] = (byte)'x'), DfuFormatError.DfuSeBadTargetSignature, Target0);

    [Fact]
    public void Read_DfuSeTargetSizeOff_TargetSizeMismatchAtDwTargetSize()
        => Check(Patch(DfuSeFile(), f => f[Target0 + 266] += 4), DfuFormatError.DfuSeTargetSizeMismatch, Target0 + 266);

    [Fact]
    public void Read_DfuSeOneElementTooMany_ElementHeaderTruncatedAtBodyEnd()
        => Check(Patch(DfuSeFile(), f => f[Target0 + 270] = 3), DfuFormatError.DfuSeElementHeaderTruncated, BodyEnd);

    [Fact]
    public void Read_DfuSeHugeElementCount_ElementHeaderTruncatedWithoutAllocating()
    {
        byte[] file = Patch(DfuSeFile(), f => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(Target0 + 270), uint.MaxValue));
        Check(file, DfuFormatError.DfuSeElementHeaderTruncated, BodyEnd);

        long before = GC.GetAllocatedBytesForCurrentThread();
        DfuFormatError? error = null;
        try
        {
            DfuFile.Read(file);
        }
        catch (DfuFormatException e)
        {
            error = e.Error;
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(16 * 1024);
        error.Should().Be(DfuFormatError.DfuSeElementHeaderTruncated);
    }

    [Theory]
    [InlineData(21u)]
    [InlineData(0x0010_0000u)]
    [InlineData(uint.MaxValue)]
    public void Read_DfuSeElementLargerThanTheRest_ElementExceedsFileAtDwElementSize(uint size)
        => Check(Patch(DfuSeFile(), f => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(Element1 + 4), size)), DfuFormatError.DfuSeElementExceedsFile, Element1 + 4);

    [Fact]
    public void Read_DfuSeElementPastFourGiB_AddressOverflowAtDwElementAddress()
        => Check(Patch(DfuSeFile(), f => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(Element1), 0xFFFF_FFF0)), DfuFormatError.AddressOverflow, Element1);

    [Fact]
    public void Read_DfuSeElementEndingAtFourGiB_Accepted()
    {
        byte[] file = Patch(DfuSeFile(), f => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(Element1), 0xFFFF_FFEC));
        DfuFile.Read(file).DfuSe!.Targets[0].Elements[1].Address.Should().Be(0xFFFF_FFECu);
    }

    [Fact]
    public void Read_DfuSeTrailingBytes_TrailingBytesWhereTheyStart()
    {
        byte[] body = [.. DfuSeFile()[..BodyEnd], 1, 2, 3, 4];
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(6), (uint)body.Length);
        byte[] file = new DfuFile { Firmware = body, Suffix = new DfuSuffix { DfuVersion = DfuSuffix.DfuSe } }.ToArray();
        Check(file, DfuFormatError.DfuSeTrailingBytes, BodyEnd);
    }

    [Fact]
    public void DfuSeCodecRead_BodyWithSuffixStillAttached_TrailingBytes()
    {
        byte[] file = DfuSeFile();
        DfuFormatException thrown = DfuTestHelpers.Reject(() => DfuSeCodec.Read(file));
        thrown.Error.Should().Be(DfuFormatError.DfuSeImageSizeMismatch);
        thrown.Offset.Should().Be(6);

        // With DFUImageSize counting the suffix, the same bytes fail on the 16 bytes after the last target.
        byte[] patched = Patch(file, f => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(6), (uint)f.Length));
        DfuFormatException trailing = DfuTestHelpers.Reject(() => DfuSeCodec.Read(patched));
        trailing.Error.Should().Be(DfuFormatError.DfuSeTrailingBytes);
        trailing.Offset.Should().Be(BodyEnd);
    }

    [Fact]
    public void Read_OptionalPolicyWithoutSuffix_RawFirmwareAndWarning()
    {
        byte[] raw = DfuTestHelpers.RandomBytes(7, 100);
        DfuFileInfo info = DfuFile.Inspect(raw, new DfuReadOptions { SuffixPolicy = DfuSuffixPolicy.Optional });
        info.File.Suffix.Should().BeNull();
        info.File.Firmware.ToArray().Should().Equal(raw);
        info.CrcValid.Should().BeNull();
        info.Warnings.Select(w => w.Code).Should().Equal(DfuFileWarningCode.MissingSuffix);
    }

    [Fact]
    public void Read_OptionalPolicyEmptyFile_EmptyFirmware()
        => DfuFile.Read([], new DfuReadOptions { SuffixPolicy = DfuSuffixPolicy.Optional }).Firmware.Length.Should().Be(0);

    [Fact]
    public void Read_NoSuffixPolicy_SuffixBytesAreFirmware()
    {
        byte[] file = PlainFile(10);
        DfuFile read = DfuFile.Read(file, new DfuReadOptions { SuffixPolicy = DfuSuffixPolicy.None });
        read.Suffix.Should().BeNull();
        read.Firmware.ToArray().Should().Equal(file);
    }

    [Fact]
    public void Read_DfuSeNotParsed_BodyIsFirmware()
    {
        byte[] file = DfuSeFile();
        DfuFile read = DfuFile.Read(file, new DfuReadOptions { ParseDfuSe = false });
        read.DfuSe.Should().BeNull();
        read.Firmware.ToArray().Should().Equal(file[..BodyEnd]);
    }

    [Fact]
    public void Read_DfuSeNameFillingTheField_WarnsAndKeeps255Characters()
    {
        byte[] file = Patch(DfuSeFile(), f => f.AsSpan(Target0 + 11, 255).Fill((byte)'N'));
        DfuFileInfo info = DfuFile.Inspect(file);
        info.File.DfuSe!.Targets[0].Name.Should().Be(new string('N', 255));
        info.Warnings.Select(w => w.Code).Should().Contain(DfuFileWarningCode.DfuSeTargetNameNotTerminated);
    }

    [Fact]
    public void Read_DfuSeNamedFlagAboveOne_TargetIsNamed()
    {
        byte[] file = Patch(DfuSeFile(), f => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(Target0 + 7), 0x0100));
        DfuFile.Read(file).DfuSe!.Targets[0].Name.Should().Be("Internal Flash");
    }

    [Fact]
    public void Read_NonSeekableStream_SameAsSpan()
    {
        byte[] file = DfuSeFile();
        using var stream = new NonSeekableStream(file);
        DfuFile.Read(stream).Should().Be(DfuFile.Read(file));
    }

    [Fact]
    public void Read_SeekableStreamFromMiddle_ReadsToTheEnd()
    {
        byte[] file = PlainFile(30);
        using var stream = new MemoryStream([0xAA, 0xBB, .. file]);
        stream.Position = 2;
        DfuFile.Read(stream).Firmware.ToArray().Should().Equal(file[..30]);
    }

    internal static byte[] PlainFile(int firmwareLength)
        => new DfuFile { Firmware = DfuTestHelpers.RandomBytes(firmwareLength, firmwareLength), Suffix = new DfuSuffix() }.ToArray();

    /// <summary>A DfuSe file in canonical form: one named target with two elements (100 and 20 bytes).</summary>
    internal static byte[] DfuSeFile()
    {
        var image = new DfuSeImage([
            new DfuSeTarget(0, "Internal Flash", [
                new DfuSeElement(0x0800_0000, DfuTestHelpers.RandomBytes(1, 100)),
                new DfuSeElement(0x0800_4000, DfuTestHelpers.RandomBytes(2, 20)),
            ]),
        ]);
        byte[] file = DfuFile.FromDfuSe(image).ToArray();
        file.Length.Should().Be(BodyEnd + 16);
        return file;
    }

    internal static byte[] FixCrc(byte[] file)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), DfuCrc32.Compute(file.AsSpan(0, file.Length - 4)));
        return file;
    }

    private static byte[] Patch(byte[] file, Action<byte[]> patch)
    {
        patch(file);
        return FixCrc(file);
    }

    private static void Check(byte[] file, DfuFormatError error, long offset, DfuReadOptions? options = null)
    {
        DfuFormatException thrown = DfuTestHelpers.Reject(() => DfuFile.Read(file, options));
        thrown.Should().BeOfType<DfuFormatException>();
        thrown.Error.Should().Be(error, thrown.Message);
        thrown.Offset.Should().Be(offset, thrown.Message);
        thrown.Message.Should().Contain($"offset {offset}");
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
