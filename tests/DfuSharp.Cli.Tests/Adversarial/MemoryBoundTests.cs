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
    public void ReadText_Bin_AllocatesTheImageOnce()
    {
        byte[] content = new byte[s_length];

        long allocated = Allocated(() => FirmwareOutput.ReadText("in.bin", content, FirmwareKind.Bin, 0x0800_0000));

        allocated.Should().BeLessThan(s_length + Constant);
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
