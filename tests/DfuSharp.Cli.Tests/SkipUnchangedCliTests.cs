using System.Text.Json;

using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests;

/// <summary><c>download --skip-unchanged</c> and <c>info</c> on many boards, through the command line.</summary>
public sealed class SkipUnchangedCliTests : IDisposable
{
    private const uint Flash = 0x0800_0000;

    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Download_SameImageTwice_TheSecondRunKeepsEverySectorAndStillVerifies()
    {
        byte[] firmware = SimCli.Random(40_000, seed: 11);
        string file = _dir.Write("fw.bin", firmware);
        SimulatedDfuDevice board = _cli.Plug("stm32f4", "1-1", "A");

        CliRun first = await _cli.RunAsync("download", file, "--address", "0x08000000", "--device", "0483:df11", "--skip-unchanged", "--verify", "--json");
        CliRun second = await _cli.RunAsync("download", file, "--address", "0x08000000", "--device", "0483:df11", "--skip-unchanged", "--verify", "--json");

        first.ExitCode.Should().Be(0, first.ToString());
        first.Json().GetProperty("erasedSectors").GetInt32().Should().Be(3);
        first.Json().GetProperty("keptSectors").GetInt32().Should().Be(0);
        second.ExitCode.Should().Be(0, second.ToString());
        second.Json().GetProperty("erasedSectors").GetInt32().Should().Be(0);
        second.Json().GetProperty("keptSectors").GetInt32().Should().Be(3);
        second.Json().GetProperty("verified").GetBoolean().Should().BeTrue();
        board.ReadMemory(Flash, firmware.Length).Should().Equal(firmware);
    }

    [Fact]
    public async Task Download_OneBlockChanged_OnlyItsSectorIsErasedAndTheSummarySaysWhatWasKept()
    {
        byte[] firmware = SimCli.Random(40_000, seed: 12);
        SimulatedDfuDevice board = _cli.Plug("stm32f4", "1-1", "A");
        (await _cli.RunAsync("download", _dir.Write("old.bin", firmware), "--address", "0x08000000", "--device", "0483:df11")).ExitCode.Should().Be(0);
        byte[] changed = (byte[])firmware.Clone();
        changed[0x4000 + 100] ^= 0xFF;

        CliRun run = await _cli.RunAsync("download", _dir.Write("new.bin", changed), "--address", "0x08000000", "--device", "0483:df11", "--skip-unchanged");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("erased:   1 sector(s)").And.Contain("kept:     2 sector(s)");
        board.ReadMemory(Flash, changed.Length).Should().Equal(changed);
    }

    [Fact]
    public async Task DryRun_WithSkipUnchanged_ReadsBackAndShowsTheKeptSectorsWithoutWriting()
    {
        byte[] firmware = SimCli.Random(20_000, seed: 13);
        string file = _dir.Write("fw.bin", firmware);
        SimulatedDfuDevice board = _cli.Plug("stm32f4", "1-1", "A");
        (await _cli.RunAsync("download", file, "--address", "0x08000000", "--device", "0483:df11")).ExitCode.Should().Be(0);
        int erasesBefore = board.Transcript.Entries.Count(e => e.ToString().Contains("erase", StringComparison.OrdinalIgnoreCase));
        erasesBefore.Should().Be(2, "the first download erased two sectors");

        CliRun run = await _cli.RunAsync("download", file, "--address", "0x08000000", "--device", "0483:df11", "--skip-unchanged", "--dry-run");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("keep     2 sector(s) unchanged, not erased or written: 0x08000000, 0x08004000");
        run.Stdout.Should().NotContain("  erase ");
        board.Transcript.Entries.Count(e => e.ToString().Contains("erase", StringComparison.OrdinalIgnoreCase)).Should().Be(erasesBefore);
    }

    [Fact]
    public async Task Info_AllBoardsWithJson_GivesEachBoardItsDescriptors()
    {
        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4*2", "--all", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement[] boards = [.. run.Json().GetProperty("boards").EnumerateArray()];
        boards.Select(b => b.GetProperty("path").GetString()).Should().Equal("sim-1", "sim-2");
        boards.Should().AllSatisfy(b =>
        {
            b.GetProperty("device").GetProperty("productId").GetInt32().Should().Be(0xDF11);
            b.GetProperty("descriptors").GetProperty("device").GetProperty("idVendor").GetInt32().Should().Be(0x0483);
            b.GetProperty("state").GetString().Should().Be("dfuIDLE");
        });
    }
}
