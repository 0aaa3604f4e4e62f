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
