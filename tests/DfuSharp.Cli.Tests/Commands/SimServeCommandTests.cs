using System.Buffers;
using DfuSharp.Cli.Commands;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Simulation.Serving;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Tests.Commands;

public sealed class SimServeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dfusharp-sim-serve-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static MemoryStream Frames(params UsbFrameRequest[] requests)
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (UsbFrameRequest request in requests)
        {
            UsbFrameCodec.WriteRequest(request, writer);
        }

        return new MemoryStream(writer.WrittenSpan.ToArray());
    }

    private static UsbFrameRequest Control(UsbSetupPacket setup, byte[]? data = null)
        => new(UsbFrameKind.Control, setup, data ?? ReadOnlyMemory<byte>.Empty);

    [Fact]
    public async Task ServeAsync_GetDeviceDescriptor_AnswersWithTheProfileIdentity()
    {
        using MemoryStream input = Frames(Control(new UsbSetupPacket(0x80, 0x06, 0x0100, 0, 18)));
        using var output = new MemoryStream();

        int code = await SimServeCommand.ServeAsync("dfu11", null, instant: true, SimulatedFaults.None, input, output, CancellationToken.None);

        code.Should().Be(0);
        UsbFrameResponse response = UsbFrameCodec.ReadResponse(output.ToArray());
        response.Status.Should().Be(0);
        response.Data.ToArray().Should().HaveCount(18);
        response.Data.Span[8..12].ToArray().Should().Equal(0x09, 0x12, 0x11, 0xDF);
    }

    [Fact]
    public async Task ServeAsync_UnknownProfile_ReturnsUsage()
    {
        using var input = new MemoryStream();
        using var output = new MemoryStream();

        int code = await SimServeCommand.ServeAsync("no-such-board", null, instant: true, SimulatedFaults.None, input, output, CancellationToken.None);

        code.Should().Be(64);
        output.Length.Should().Be(0);
    }

    [Fact]
    public async Task ServeAsync_DownloadThenStateFile_NextRunUploadsTheSameFirmware()
    {
        var state = new FileInfo(Path.Combine(_dir, "dfu11.state"));
        byte[] firmware = [1, 2, 3, 4, 5];
        using (MemoryStream input = Frames(
            Control(new UsbSetupPacket(0x21, (byte)DfuRequest.Dnload, 0, 0, 5), firmware),
            Control(new UsbSetupPacket(0xA1, (byte)DfuRequest.GetStatus, 0, 0, 6)),
            Control(new UsbSetupPacket(0x21, (byte)DfuRequest.Dnload, 1, 0, 0)),
            Control(new UsbSetupPacket(0xA1, (byte)DfuRequest.GetStatus, 0, 0, 6)),
            Control(new UsbSetupPacket(0xA1, (byte)DfuRequest.GetStatus, 0, 0, 6))))
        using (var output = new MemoryStream())
        {
            (await SimServeCommand.ServeAsync("dfu11", state, instant: true, SimulatedFaults.None, input, output, CancellationToken.None)).Should().Be(0);
        }

        using MemoryStream upload = Frames(Control(new UsbSetupPacket(0xA1, (byte)DfuRequest.Upload, 0, 0, 64)));
        using var answer = new MemoryStream();
        (await SimServeCommand.ServeAsync("dfu11", state, instant: true, SimulatedFaults.None, upload, answer, CancellationToken.None)).Should().Be(0);

        UsbFrameCodec.ReadResponse(answer.ToArray()).Data.ToArray().Should().Equal(firmware);
    }

    [Fact]
    public async Task ServeAsync_BadStateFile_ReturnsDataError()
    {
        var state = new FileInfo(Path.Combine(_dir, "bad.state"));
        await File.WriteAllTextAsync(state.FullName, "not a state file");
        using var input = new MemoryStream();
        using var output = new MemoryStream();

        int code = await SimServeCommand.ServeAsync("dfu11", state, instant: true, SimulatedFaults.None, input, output, CancellationToken.None);

        code.Should().Be(65);
    }

    [Theory]
    [InlineData("getstatus-never-answers", SimulatedFaultKind.GetStatusNeverAnswers)]
    [InlineData("stall-at-block:3", SimulatedFaultKind.StallAtBlock)]
    [InlineData("status-at-block:2:ErrVerify", SimulatedFaultKind.StatusAtBlock)]
    [InlineData("disconnect-at-block:4", SimulatedFaultKind.DisconnectAtBlock)]
    [InlineData("disconnect-at-leave", SimulatedFaultKind.DisconnectAtLeave)]
    [InlineData("corrupt-write", SimulatedFaultKind.CorruptWrite)]
    public void SimFaultSpec_KnownFault_Parses(string text, SimulatedFaultKind kind)
        => SimFaultSpec.Parse(text).Kind.Should().Be(kind);

    [Theory]
    [InlineData("explode")]
    [InlineData("stall-at-block:x")]
    [InlineData("status-at-block:2:errNOPE")]
    public void SimFaultSpec_UnknownText_ThrowsFormat(string text)
        => FluentActions.Invoking(() => SimFaultSpec.Parse(text)).Should().Throw<FormatException>();

    [Fact]
    public async Task RunAsync_ServeWithoutStdio_ReturnsUsage()
    {
        CliRun run = await CliRunner.RunAsync("sim", "serve", "--profile", "dfu11");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stdout.Should().BeEmpty();
    }
}
