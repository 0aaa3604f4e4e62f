using System.Buffers.Binary;

namespace DfuSharp.Cli.Tests;

public sealed class SamplesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SampleBin_MatchesItsGenerator()
    {
        byte[] bin = await File.ReadAllBytesAsync(TestPaths.InRepo("samples", "blinky-stm32f4.bin"));

        bin.Should().HaveCount(4096);
        BinaryPrimitives.ReadUInt32LittleEndian(bin).Should().Be(0x2002_0000u);
        BinaryPrimitives.ReadUInt32LittleEndian(bin.AsSpan(4)).Should().Be(0x0800_0101u);
        bin[8..].Should().Equal(Enumerable.Range(8, 4096 - 8).Select(i => (byte)(((i * 7) + 3) % 256)));
    }

    [Fact]
    public async Task SampleDfu_IsWhatFilePackMakesFromTheBin()
    {
        string output = _dir.File("again.dfu");

        CliRun run = await CliRunner.RunAsync("file", "pack", output, "--alt", "0", "--name", "Internal Flash",
            "--bin", "0x08000000:" + TestPaths.InRepo("samples", "blinky-stm32f4.bin"), "--vid", "0x0483", "--pid", "0xdf11", "--did", "0xffff");

        run.ExitCode.Should().Be(0, run.ToString());
        (await File.ReadAllBytesAsync(output)).Should().Equal(await File.ReadAllBytesAsync(TestPaths.InRepo("samples", "blinky-stm32f4.dfu")));
    }
}
