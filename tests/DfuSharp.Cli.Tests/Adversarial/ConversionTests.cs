using System.Buffers;
using System.Text;

using DfuSharp.Formats;

namespace DfuSharp.Cli.Tests.Adversarial;

/// <summary>Conversions keep what they read and write files their readers take without a warning.</summary>
public sealed class ConversionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [PeerTheory("srec_cat")]
    [InlineData("app.bin")]
    [InlineData("app.hex")]
    public async Task Convert_ToSrec_SrecCatReadsItWithoutWarnings(string inputName)
    {
        string bin = _dir.Write("app.bin", SimCli.Random(3000, seed: 1));
        string input = bin;
        if (inputName == "app.hex")
        {
            input = _dir.File("app.hex");
            (await CliRunner.RunAsync("file", "convert", bin, input, "--address", "0x08000000")).ExitCode.Should().Be(0);
        }

        string output = _dir.File("out.srec");
        CliRun run = await CliRunner.RunAsync("file", "convert", input, output);

        run.ExitCode.Should().Be(0, run.ToString());
        File.ReadAllLines(output)[^1].Should().MatchRegex("^S[789]");
        PeerResult peer = PeerTools.Run("srec_cat", [output, "-o", _dir.File("back.bin"), "-binary"]);
        peer.ExitCode.Should().Be(0, peer.ToString());
        peer.StandardError.Should().BeEmpty("srec_cat warns about a missing header or termination record");
    }

    [Theory]
    [InlineData("in.hex", "out.hex")]
    [InlineData("in.hex", "out.srec")]
    [InlineData("in.srec", "out.hex")]
    [InlineData("in.srec", "out.srec")]
    public async Task Convert_TextToText_KeepsTheStartAddress(string inputName, string outputName)
    {
        MemoryImage image = MemoryImage.FromBytes(0x0800_0000, SimCli.Random(600, seed: 2));
        var text = new ArrayBufferWriter<byte>();
        if (inputName.EndsWith(".hex", StringComparison.Ordinal))
        {
            IntelHex.Write(image, text, new IntelHexWriteOptions { StartAddress = IntelHexStartAddress.Linear(0x0800_01C1) });
        }
        else
        {
            SRecord.Write(image, text, new SRecordWriteOptions { StartAddress = 0x0800_01C1 });
        }

        string input = _dir.Write(inputName, text.WrittenSpan.ToArray());
        string output = _dir.File(outputName);

        CliRun run = await CliRunner.RunAsync("file", "convert", input, output);

        run.ExitCode.Should().Be(0, run.ToString());
        byte[] written = File.ReadAllBytes(output);
        if (outputName.EndsWith(".hex", StringComparison.Ordinal))
        {
            IntelHexFile back = IntelHex.Read(written);
            back.Image.Should().Be(image);
            back.StartAddress.Should().Be(IntelHexStartAddress.Linear(0x0800_01C1));
        }
        else
        {
            SRecordFile back = SRecord.Read(written);
            back.Image.Should().Be(image);
            back.StartAddress.Should().Be(0x0800_01C1u);
        }
    }

    [Fact]
    public async Task Upload_OutputNameLongerThanTheFileSystemAllows_Exits73BeforeReading()
    {
        var cli = new SimCli();
        string output = _dir.File(new string('u', 300) + ".bin");

        CliRun run = await cli.RunAsync("upload", output, "--address", "0x08000000", "--length", "64", "--device", "sim:stm32f4", "--json");

        run.ExitCode.Should().Be(73, run.ToString());
        run.Json().GetProperty("error").GetString().Should().Contain("cannot create");
    }

    [Fact]
    public void SRecordWrite_MoreRecordsThanS6Counts_LeavesTheCountOut()
    {
        // 16,777,216 one-byte records: one more than S6's 24 bits count. The text goes to a writer that keeps only its
        // last lines, so the test needs 16 MiB of input and no gigabyte of output.
        MemoryImage image = MemoryImage.FromBytes(0, new byte[0x100_0000]);
        var tail = new TailWriter();

        SRecord.Write(image, tail, new SRecordWriteOptions { RecordLength = 1, Header = null });

        string last = tail.Text;
        last.Should().EndWith("\nS205FFFFFF00FD\nS804000000FB\n");
        last.Should().NotContain("\nS5").And.NotContain("\nS6");
    }

    // Keeps only the last kilobyte or so written: when the buffer fills, its tail moves to the front.
    private sealed class TailWriter : IBufferWriter<byte>
    {
        private const int Keep = 1024;
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _position;

        public string Text => Encoding.ASCII.GetString(_buffer, Math.Max(0, _position - Keep), Math.Min(_position, Keep));

        public void Advance(int count) => _position += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(Reserve(sizeHint));

        public Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(Reserve(sizeHint));

        private int Reserve(int sizeHint)
        {
            if (_buffer.Length - _position < Math.Max(sizeHint, 600))
            {
                _buffer.AsSpan(_position - Keep, Keep).CopyTo(_buffer);
                _position = Keep;
            }

            return _position;
        }
    }
}
