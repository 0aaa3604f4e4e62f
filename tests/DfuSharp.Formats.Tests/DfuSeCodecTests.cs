using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

public sealed class DfuSeCodecTests
{
    private static readonly DfuSeImage s_image = new([
        new DfuSeTarget(0, "Internal Flash", [
            new DfuSeElement(0x0800_0000, DfuTestHelpers.RandomBytes(1, 100)),
            new DfuSeElement(0x0800_4000, ReadOnlyMemory<byte>.Empty),
        ]),
        new DfuSeTarget(1, null, [new DfuSeElement(0x1FFF_C000, new byte[] { 0xAA, 0x55 })]),
        new DfuSeTarget(0, "", []),
    ]);

    [Fact]
    public void Write_Image_CanonicalStLayout()
    {
        var writer = new ArrayBufferWriter<byte>();
        DfuSeCodec.Write(s_image, writer);
        byte[] body = writer.WrittenSpan.ToArray();

        long expectedLength = 11 + (274 + 8 + 100 + 8) + (274 + 8 + 2) + 274;
        body.Length.Should().Be((int)expectedLength);
        DfuSeCodec.GetEncodedLength(s_image).Should().Be(expectedLength);
        Encoding.ASCII.GetString(body, 0, 5).Should().Be("DfuSe");
        body[5].Should().Be(1);
        BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(6)).Should().Be((uint)body.Length, "DFUImageSize is the file without its suffix (ST)");
        body[10].Should().Be(3);

        int t0 = 11;
        Encoding.ASCII.GetString(body, t0, 6).Should().Be("Target");
        body[t0 + 6].Should().Be(0);
        BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(t0 + 7)).Should().Be(1u);
        body.AsSpan(t0 + 11, 14).ToArray().Should().Equal(Encoding.ASCII.GetBytes("Internal Flash"));
        body.AsSpan(t0 + 11 + 14, 255 - 14).ToArray().Should().OnlyContain(b => b == 0);
        BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(t0 + 266)).Should().Be(8u + 100 + 8);
        BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(t0 + 270)).Should().Be(2u);
        BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(t0 + 274)).Should().Be(0x0800_0000u);
        BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(t0 + 278)).Should().Be(100u);

        int t1 = t0 + 274 + 116;
        Encoding.ASCII.GetString(body, t1, 6).Should().Be("Target");
        body[t1 + 6].Should().Be(1);
        body.AsSpan(t1 + 7, 4 + 255).ToArray().Should().OnlyContain(b => b == 0, "an unnamed target has bTargetNamed 0 and an empty field");

        int t2 = t1 + 274 + 10;
        BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(t2 + 7)).Should().Be(1u, "an empty name is still a name");
        BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(t2 + 270)).Should().Be(0u);
    }

    [Fact]
    public void Read_WrittenImage_EqualImage()
    {
        var writer = new ArrayBufferWriter<byte>();
        DfuSeCodec.Write(s_image, writer);

        DfuSeCodec.Read(writer.WrittenSpan).Should().Be(s_image);
    }

    [Fact]
    public void FromDfuSe_Image_DfuSeSuffixAndReadableFile()
    {
        DfuFile file = DfuFile.FromDfuSe(s_image);
        file.Suffix!.DfuVersion.Should().Be(DfuSuffix.DfuSe);

        byte[] bytes = file.ToArray();
        bytes.Length.Should().Be((int)file.GetLength());
        DfuFileInfo info = DfuFile.Inspect(bytes);
        info.File.Should().Be(file);
        info.File.Firmware.ToArray().Should().Equal(file.Firmware.ToArray());
        info.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void Write_DfuFileWithDfuSe_EncodesImageNotStaleFirmware()
    {
        DfuFile file = DfuFile.FromDfuSe(s_image) with { Firmware = new byte[] { 1, 2, 3 } };
        DfuFile.Read(file.ToArray()).DfuSe.Should().Be(s_image);
    }

    [Fact]
    public void Write_NameTooLong_ArgumentException()
    {
        var image = new DfuSeImage([new DfuSeTarget(0, new string('a', 255), [])]);
        FluentActions.Invoking(() => DfuSeCodec.Write(image, new ArrayBufferWriter<byte>())).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("a\0b")]
    [InlineData("Flash \u20AC")]
    public void Write_NameNotLatin1OrWithNul_ArgumentException(string name)
    {
        var image = new DfuSeImage([new DfuSeTarget(0, name, [])]);
        FluentActions.Invoking(() => DfuSeCodec.Write(image, new ArrayBufferWriter<byte>())).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Write_TooManyTargets_ArgumentException()
    {
        var image = new DfuSeImage([.. Enumerable.Range(0, 256).Select(i => new DfuSeTarget(0, null, []))]);
        FluentActions.Invoking(() => DfuSeCodec.Write(image, new ArrayBufferWriter<byte>())).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Write_DefaultTargetArray_ArgumentException()
        => FluentActions.Invoking(() => DfuSeCodec.Write(new DfuSeImage(default), new ArrayBufferWriter<byte>())).Should().Throw<ArgumentException>();

    [Fact]
    public void Write_Latin1Name_RoundTrips()
    {
        var image = new DfuSeImage([new DfuSeTarget(2, "Flash \u00E9\u00FF", [new DfuSeElement(0, new byte[] { 1 })])]);
        var writer = new ArrayBufferWriter<byte>();
        DfuSeCodec.Write(image, writer);
        DfuSeCodec.Read(writer.WrittenSpan).Should().Be(image);
    }

    [Fact]
    public void Write_DfuFileWithPrefixAndDfuSe_InvalidOperation()
    {
        DfuFile file = DfuFile.FromDfuSe(s_image) with { Prefix = DfuPrefixes.CreateLpc(10) };
        FluentActions.Invoking(() => file.ToArray()).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Read_SeededRandomImages_RoundTripThroughDfuFile()
    {
        var random = new Random(99);
        for (int i = 0; i < 100; i++)
        {
            var targets = Enumerable.Range(0, random.Next(0, 5)).Select(t => new DfuSeTarget(
                (byte)random.Next(0, 4),
                random.Next(3) == 0 ? null : new string('x', random.Next(0, 255)),
                [.. Enumerable.Range(0, random.Next(0, 4)).Select(e => new DfuSeElement((uint)random.Next(), DfuTestHelpers.RandomBytes(random.Next(), random.Next(0, 300))))]));
            var image = new DfuSeImage([.. targets]);
            var suffix = new DfuSuffix { VendorId = (ushort)random.Next(0x10000), ProductId = (ushort)random.Next(0x10000), DeviceVersion = 0, DfuVersion = DfuSuffix.DfuSe };

            DfuFile file = DfuFile.FromDfuSe(image, suffix);
            DfuFile read = DfuFile.Read(file.ToArray());

            read.DfuSe.Should().Be(image);
            read.Suffix.Should().Be(suffix);
        }
    }
}
