using System.Text.Json;

using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests;

/// <summary><c>--json-lines</c>: a JSON object a line on standard output, one per phase change and per board result,
/// then a summary, for rig dashboards.</summary>
public sealed class JsonLinesTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    private static JsonElement[] Lines(CliRun run)
        => [.. run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        })];

    private static string Event(JsonElement line) => line.GetProperty("event").GetString()!;

    [Fact]
    public async Task Download_AllBoards_StreamsPhasesThenAResultPerBoardThenTheSummary()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(40_000, seed: 1)), "--address", "0x08000000",
            "--device", "sim:stm32f4*3", "--all", "--json-lines");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement[] lines = Lines(run);
        Event(lines[^1]).Should().Be("summary");
        lines[^1].GetProperty("succeeded").GetInt32().Should().Be(3);
        lines[^1].GetProperty("failed").GetInt32().Should().Be(0);
        lines[^1].GetProperty("exitCode").GetInt32().Should().Be(0);
        lines.Where(l => Event(l) == "result").Select(l => l.GetProperty("path").GetString()).Should().BeEquivalentTo("sim-1", "sim-2", "sim-3");
        lines.Where(l => Event(l) == "result").Should().AllSatisfy(l => l.GetProperty("writtenBytes").GetInt64().Should().Be(40_000));
        foreach (string board in new[] { "sim-1", "sim-2", "sim-3" })
        {
            string[] phases = [.. lines.Where(l => Event(l) == "phase" && l.GetProperty("path").GetString() == board).Select(l => l.GetProperty("phase").GetString()!)];
            phases.Should().Contain(["erase", "download"]).And.OnlyHaveUniqueItems();
            int result = Array.FindIndex(lines, l => Event(l) == "result" && l.GetProperty("path").GetString() == board);
            int lastPhase = Array.FindLastIndex(lines, l => Event(l) == "phase" && l.GetProperty("path").GetString() == board);
            lastPhase.Should().BeLessThan(result, "a board's phases come before its result");
        }

        run.Stderr.Should().NotContain("%", "progress goes to the JSON lines, not to standard error");
    }

    [Fact]
    public async Task Download_OneBoard_StreamsItsResultAndTheSummary()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(2048, seed: 2)), "--address", "0x08000000",
            "--device", "sim:stm32f4", "--json-lines");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement[] lines = Lines(run);
        lines.Count(l => Event(l) == "result").Should().Be(1);
        lines.Single(l => Event(l) == "result").GetProperty("serialNumber").GetString().Should().NotBeNullOrEmpty();
        Event(lines[^1]).Should().Be("summary");
    }

    [Fact]
    public async Task Download_AFailingBoard_ItsResultLineCarriesTheErrorAndTheSummaryCountsIt()
    {
        _cli.Plug("stm32f4", "1-1");
        _cli.UsbBus.Add("stm32f4", new SimulatedDeviceOptions
        {
            PortPath = "1-2",
            Faults = SimulatedFaults.Of(SimulatedFault.StatusAtBlock(2, DfuStatus.ErrWrite)),
        });

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(8192, seed: 3)), "--address", "0x08000000",
            "--all", "--json-lines");

        run.ExitCode.Should().Be(76, run.ToString());
        JsonElement[] lines = Lines(run);
        JsonElement failed = lines.Single(l => Event(l) == "result" && l.GetProperty("path").GetString() == "1-2");
        failed.GetProperty("exitCode").GetInt32().Should().Be(76);
        failed.GetProperty("error").GetString().Should().Contain("errWRITE");
        lines.Single(l => Event(l) == "result" && l.GetProperty("path").GetString() == "1-1").GetProperty("exitCode").GetInt32().Should().Be(0);
        lines[^1].GetProperty("failed").GetInt32().Should().Be(1);
        lines[^1].GetProperty("exitCode").GetInt32().Should().Be(76);
    }

    [Fact]
    public async Task Upload_AllBoards_StreamsAResultPerBoard()
    {
        CliRun run = await _cli.RunAsync("upload", _dir.File("out.bin"), "--address", "0x08000000", "--length", "256",
            "--device", "sim:stm32f4*2", "--all", "--json-lines");

        run.ExitCode.Should().Be(0, run.ToString());
        Lines(run).Where(l => Event(l) == "result").Select(l => l.GetProperty("length").GetInt64()).Should().Equal(256, 256);
    }

    [Fact]
    public async Task Download_NoBoard_EndsTheStreamWithAnErrorLine()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(16, seed: 4)), "--address", "0x08000000",
            "--device", "1209:df11", "--all", "--json-lines");

        run.ExitCode.Should().Be(69, run.ToString());
        JsonElement last = Lines(run)[^1];
        Event(last).Should().Be("error");
        last.GetProperty("exitCode").GetInt32().Should().Be(69);
        last.GetProperty("error").GetString().Should().Contain("No DFU device");
    }

    [Fact]
    public async Task JsonAndJsonLines_Exits64()
    {
        CliRun run = await _cli.RunAsync("erase", "--mass", "--device", "sim:stm32f4", "--json", "--json-lines");

        run.ExitCode.Should().Be(64, run.ToString());
    }
}
