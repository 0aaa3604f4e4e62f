using System.Buffers;

using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;

namespace DfuSharp.Cli.Tests.Adversarial;

/// <summary>
/// File commands stay within a small multiple of their input plus a constant. Allocation, counted on the test's own
/// thread with <see cref="GC.GetAllocatedBytesForCurrentThread"/>, stands for memory; no clock is involved. The default
/// input is 4 MiB, enough for a constant to show as a ratio; DFUSHARP_LONG_TESTS=1 uses 256 MiB.
/// </summary>
public sealed class MemoryBoundTests
{
    private const long Constant = 1024 * 1024;

    private static readonly int s_length = Environment.GetEnvironmentVariable("DFUSHARP_LONG_TESTS") == "1" ? 256 << 20 : 4 << 20;

    [Theory]
    [InlineData("hex")]
    [InlineData("srec")]
    [InlineData("bin")]
    public void WriteText_StreamsTheOutput_AllocatesOnlyAConstant(string format)
    {
        FirmwareKind kind = Kind(format);
        MemoryImage image = MemoryImage.FromBytes(0x0800_0000, new byte[s_length]);
        var destination = new StreamBufferWriter(Stream.Null);

        long allocated = Allocated(() => FirmwareOutput.WriteText("out", image, kind, IntelHexStartAddress.Linear(0x0800_0000), destination));

        destination.BytesWritten.Should().BeGreaterThanOrEqualTo(s_length);
        allocated.Should().BeLessThan(Constant, $"encoding {s_length} bytes as {kind} must not hold the output in memory");
    }

    [Fact]
    public void ReadText_Bin_SharesTheInput()
    {
        byte[] content = new byte[s_length];

        long allocated = Allocated(() => FirmwareOutput.ReadText("in.bin", content, FirmwareKind.Bin, 0x0800_0000));

        allocated.Should().BeLessThan(Constant, "MemoryImage.FromMemory refers to the input instead of copying it");
    }

    [Fact]
    public void AddSuffix_WrittenToTheOutput_AllocatesOnlyAConstant()
    {
        byte[] content = SimCli.Random(s_length, seed: 2);
        var destination = new StreamBufferWriter(Stream.Null);

        long allocated = Allocated(() => FirmwareFiles.AddSuffix("app.bin", content, new DfuSuffix()).Write(destination));

        destination.BytesWritten.Should().Be(s_length + DfuSuffix.StandardLength);
        allocated.Should().BeLessThan(Constant);
    }

    [Fact]
    public void AddAndRemovePrefix_WrittenToTheOutput_AllocateOneCopyOfTheInput()
    {
        byte[] content = SimCli.Random(s_length, seed: 3);
        var prefixed = new ArrayBufferWriter<byte>();
        FirmwareFiles.AddPrefix("app.bin", content, DfuPrefixType.Stellaris, 0).Write(prefixed);
        byte[] withPrefix = prefixed.WrittenSpan.ToArray();
        var destination = new StreamBufferWriter(Stream.Null);

        long added = Allocated(() => FirmwareFiles.AddPrefix("app.bin", content, DfuPrefixType.Stellaris, 0).Write(destination));
        long removed = Allocated(() => FirmwareFiles.RemovePrefix("app.bin", withPrefix, DfuPrefixType.Stellaris).Output.Write(destination));

        // DfuFile.Read(ReadOnlySpan<byte>) keeps its own copy of the file; the output is streamed.
        added.Should().BeLessThan(content.Length + Constant);
        removed.Should().BeLessThan(withPrefix.Length + Constant);
    }

    [Fact]
    public void Pack_OneBinary_EncodesStraightIntoTheOutput()
    {
        byte[] content = SimCli.Random(s_length, seed: 4);
        var destination = new StreamBufferWriter(Stream.Null);

        long allocated = Allocated(() =>
        {
            var target = new DfuSeTarget(0, "Internal Flash", [new DfuSeElement(0x0800_0000, content)]);
            DfuFile file = FirmwareFiles.ToDfuSe(new DfuSeImage([target]), new DfuSuffix { DfuVersion = DfuSuffix.DfuSe });
            FirmwareFiles.WriteDfuSe(file, destination);
        });

        destination.BytesWritten.Should().BeGreaterThan(s_length);
        allocated.Should().BeLessThan(s_length + Constant, "the overlap check may build one image; the encoding is streamed");
    }

    [Theory]
    [InlineData("bin", "dfu")]
    [InlineData("dfu", "bin")]
    [InlineData("dfu", "hex")]
    [InlineData("hex", "dfu")]
    public void Convert_ToOrFromDfu_AllocatesAtMostTwiceTheInput(string from, string to)
    {
        byte[] content = Encode(SimCli.Random(s_length, seed: 5), Kind(from));
        var destination = new StreamBufferWriter(Stream.Null);
        var request = new ConvertRequest(0x0800_0000, null, null, null, null);

        long allocated = Allocated(() => FirmwareFiles.Convert("in." + from, content, Kind(to), request)(destination));

        destination.BytesWritten.Should().BeGreaterThanOrEqualTo(s_length);
        allocated.Should().BeLessThan((2L * Math.Max(content.Length, s_length)) + Constant, $"converting {content.Length} bytes of .{from} to .{to}");
    }

    [Theory]
    [InlineData("dfu")]
    [InlineData("bin")]
    public void Describe_FileInfo_AllocatesAtMostOneCopyOfTheInput(string format)
    {
        byte[] content = Encode(SimCli.Random(s_length, seed: 6), Kind(format));

        long allocated = Allocated(() => FirmwareFiles.Describe("in." + format, content, 0));

        // A .bin is described in place; DfuFile.Inspect(ReadOnlySpan<byte>) keeps one copy of a .dfu.
        long bound = format == "bin" ? Constant : content.Length + Constant;
        allocated.Should().BeLessThan(bound, $"file info on {content.Length} bytes of .{format} hashes without further copies");
    }

    private static byte[] Encode(byte[] data, FirmwareKind kind)
    {
        var output = new ArrayBufferWriter<byte>();
        if (kind == FirmwareKind.Dfu)
        {
            var target = new DfuSeTarget(0, "Internal Flash", [new DfuSeElement(0x0800_0000, data)]);
            DfuFile.FromDfuSe(new DfuSeImage([target])).Write(output);
        }
        else
        {
            FirmwareOutput.WriteText("in", MemoryImage.FromMemory(0x0800_0000, data), kind, null, output);
        }

        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData("hex")]
    [InlineData("srec")]
    public void ReadText_TextInput_AllocatesAtMostTwiceTheData(string format)
    {
        FirmwareKind kind = Kind(format);
        MemoryImage image = MemoryImage.FromBytes(0x0800_0000, SimCli.Random(s_length, seed: 1));
        var text = new ArrayBufferWriter<byte>();
        FirmwareOutput.WriteText("in", image, kind, null, text);
        byte[] content = text.WrittenSpan.ToArray();

        long allocated = Allocated(() => FirmwareOutput.ReadText("in", content, kind, 0));

        allocated.Should().BeLessThan((2L * s_length) + Constant, $"the {content.Length}-byte text holds {s_length} bytes of data");
    }

    private static FirmwareKind Kind(string format)
        => FirmwareKindDetector.FromExtension("x." + format) ?? throw new ArgumentException(format, nameof(format));

    private static long Allocated(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
