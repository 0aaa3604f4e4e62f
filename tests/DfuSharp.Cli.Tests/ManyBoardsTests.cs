using System.Text.Json;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests;

/// <summary>
/// Many boards in one process: <c>--all</c>, several <c>--device</c>, <c>sim:PROFILE*N</c>, <c>--max-parallel</c>,
/// per-board results, failures that stay with their board, and the exit code of the run.
/// </summary>
public sealed class ManyBoardsTests : IDisposable
{
    private const uint Flash = 0x0800_0000;

    // ST ROMs of one series report the same serial on every chip: the boards are told apart by port path.
    private const string SameSerial = "3276375B3034";

    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    private static JsonElement[] Boards(CliRun run) => [.. run.Json().GetProperty("boards").EnumerateArray()];

    [Fact]
    public async Task Download_AllOfASimulatedRig_FlashesEveryBoard()
    {
        byte[] firmware = SimCli.Random(40_000, seed: 1);
        string file = _dir.Write("fw.bin", firmware);

        CliRun run = await _cli.RunAsync("download", file, "--address", "0x08000000", "--device", "sim:stm32f4*3", "--all", "--verify");

        run.ExitCode.Should().Be(0, run.ToString());
        _cli.Bus!.Devices.Select(d => d.PortPath).Should().Equal("sim-1", "sim-2", "sim-3");
        foreach (SimulatedDfuDevice board in _cli.Bus.Devices)
        {
            board.ReadMemory(Flash, firmware.Length).Should().Equal(firmware);
        }

        run.Stdout.Should().Contain("sim-1: downloaded 40000 bytes").And.Contain("sim-3: downloaded").And.Contain("3 board(s), 3 succeeded, 0 failed");
        run.Stderr.Should().Contain("dfusharp: sim-2: download:");
    }

    [Fact]
    public async Task Download_AllWithJson_PrintsABoardObjectPerBoardAndTheCounts()
    {
        _cli.Plug("stm32f4", "1-1", SameSerial);
        _cli.Plug("stm32f4", "1-2", SameSerial);

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(4096, seed: 2)), "--address", "0x08000000",
            "--device", "0483:df11", "--all", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement[] boards = Boards(run);
        boards.Select(b => b.GetProperty("path").GetString()).Should().Equal("1-1", "1-2");
        boards.Should().AllSatisfy(b =>
        {
            b.GetProperty("serialNumber").GetString().Should().Be(SameSerial);
            b.GetProperty("exitCode").GetInt32().Should().Be(0);
            b.GetProperty("writtenBytes").GetInt64().Should().Be(4096);
            b.GetProperty("device").GetProperty("path").GetString().Should().Be(b.GetProperty("path").GetString());
            b.TryGetProperty("error", out _).Should().BeFalse();
        });
        run.Json().GetProperty("succeeded").GetInt32().Should().Be(2);
        run.Json().GetProperty("failed").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task Download_OneBoardFails_TheOthersAreFlashedAndTheExitCodeIsTheFailure()
    {
        byte[] firmware = SimCli.Random(20_000, seed: 3);
        SimulatedDfuDevice first = _cli.Plug("stm32f4", "1-1", SameSerial);
        SimulatedDfuDevice broken = _cli.UsbBus.Add("stm32f4", new SimulatedDeviceOptions
        {
            PortPath = "1-2",
            SerialNumber = SameSerial,
            Faults = SimulatedFaults.Of(SimulatedFault.StatusAtBlock(3, DfuStatus.ErrWrite)),
        });
        SimulatedDfuDevice third = _cli.Plug("stm32f4", "1-3", SameSerial);

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", firmware), "--address", "0x08000000", "--all", "--json");

        run.ExitCode.Should().Be(76, run.ToString());
        first.ReadMemory(Flash, firmware.Length).Should().Equal(firmware);
        third.ReadMemory(Flash, firmware.Length).Should().Equal(firmware);
        broken.ReadMemory(Flash, firmware.Length).Should().NotEqual(firmware);
        JsonElement[] boards = Boards(run);
        boards[1].GetProperty("exitCode").GetInt32().Should().Be(76);
        boards[1].GetProperty("error").GetString().Should().Contain("errWRITE");
        boards[0].GetProperty("exitCode").GetInt32().Should().Be(0);
        boards[2].GetProperty("exitCode").GetInt32().Should().Be(0);
        run.Json().GetProperty("succeeded").GetInt32().Should().Be(2);
        run.Json().GetProperty("failed").GetInt32().Should().Be(1);
        run.Stderr.Should().Contain("dfusharp: 1-2: ").And.Contain("errWRITE");
    }

    [Fact]
    public async Task Download_DeviceGivenSeveralTimes_FlashesThoseBoardsOnly()
    {
        byte[] firmware = SimCli.Random(2048, seed: 4);
        SimulatedDfuDevice a = _cli.Plug("stm32f4", "1-1", SameSerial);
        SimulatedDfuDevice b = _cli.Plug("stm32f4", "1-2", SameSerial);
        SimulatedDfuDevice c = _cli.Plug("stm32f4", "1-3", SameSerial);

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", firmware), "--address", "0x08000000",
            "--device", "path=1-1", "--device", "path=1-3");

        run.ExitCode.Should().Be(0, run.ToString());
        a.ReadMemory(Flash, firmware.Length).Should().Equal(firmware);
        c.ReadMemory(Flash, firmware.Length).Should().Equal(firmware);
        b.DataBlocksReceived.Should().Be(0);
        run.Stdout.Should().Contain("2 board(s), 2 succeeded");
    }

    [Fact]
    public async Task Download_SeveralDeviceOneAmbiguousWithoutAll_Exits64BeforeAnythingIsSent()
    {
        SimulatedDfuDevice a = _cli.Plug("stm32f4", "1-1", SameSerial);
        SimulatedDfuDevice b = _cli.Plug("stm32f4", "1-2", SameSerial);

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(2048, seed: 5)), "--address", "0x08000000",
            "--device", "0483:df11", "--device", "path=1-2");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("2 devices match").And.Contain("--all");
        a.DataBlocksReceived.Should().Be(0);
        b.DataBlocksReceived.Should().Be(0);
    }

    [Fact]
    public async Task Download_AllMatchingNothing_Exits69()
    {
        _cli.Plug("stm32f4", "1-1");

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(2048, seed: 6)), "--address", "0x08000000",
            "--device", "1209:df11", "--all");

        run.ExitCode.Should().Be(69, run.ToString());
    }

    [Fact]
    public async Task Download_MaxParallelOne_StillFlashesEveryBoard()
    {
        byte[] firmware = SimCli.Random(8192, seed: 7);

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", firmware), "--address", "0x08000000",
            "--device", "sim:stm32f4*4", "--all", "--max-parallel", "1");

        run.ExitCode.Should().Be(0, run.ToString());
        _cli.Bus!.Devices.Should().HaveCount(4).And.AllSatisfy(d => d.ReadMemory(Flash, firmware.Length).Should().Equal(firmware));
    }

    [Fact]
    public async Task Download_MaxParallelZero_Exits64()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(16, seed: 8)), "--address", "0x08000000",
            "--device", "sim:stm32f4*2", "--all", "--max-parallel", "0");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("--max-parallel must be at least 1");
    }

    [Fact]
    public async Task Download_DryRunAll_PlansEachBoardAndSendsNothing()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(40_000, seed: 9)), "--address", "0x08000000",
            "--device", "sim:stm32f4*2", "--all", "--dry-run", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        Boards(run).Should().HaveCount(2).And.AllSatisfy(b =>
        {
            b.GetProperty("dryRun").GetBoolean().Should().BeTrue();
            b.GetProperty("plan").GetProperty("steps").GetArrayLength().Should().BeGreaterThan(0);
        });
        _cli.Bus!.Devices.Should().AllSatisfy(d => d.DataBlocksReceived.Should().Be(0));
    }

    [Fact]
    public async Task Download_BackupWithAll_WritesOneBackupPerBoard()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(2048, seed: 10)), "--address", "0x08000000",
            "--device", "sim:stm32f4*2", "--all", "--backup", _dir.File("old.bin"));

        run.ExitCode.Should().Be(0, run.ToString());
        _dir.Entries().Should().Contain(["old-sim-1.bin", "old-sim-2.bin"]);
    }

    [Fact]
    public async Task Upload_All_WritesOneFilePerBoardNamedByPath()
    {
        byte[] firmware = SimCli.Random(1024, seed: 11);
        _cli.Options = new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(Flash, [.. firmware])] };

        CliRun run = await _cli.RunAsync("upload", _dir.File("out.bin"), "--address", "0x08000000", "--length", "1024",
            "--device", "sim:stm32f4*2", "--all");

        run.ExitCode.Should().Be(0, run.ToString());
        File.ReadAllBytes(_dir.File("out-sim-1.bin")).Should().Equal(firmware);
        File.ReadAllBytes(_dir.File("out-sim-2.bin")).Should().Equal(firmware);
    }

    [Fact]
    public async Task Upload_AllWithPathPlaceholder_FillsIt()
    {
        CliRun run = await _cli.RunAsync("upload", _dir.File("{n}-{path}.bin"), "--address", "0x08000000", "--length", "64",
            "--device", "sim:stm32f4*2", "--all", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        _dir.Entries().Should().Contain(["1-sim-1.bin", "2-sim-2.bin"]);
        Boards(run).Select(b => b.GetProperty("file").GetString()).Should().Equal(_dir.File("1-sim-1.bin"), _dir.File("2-sim-2.bin"));
    }

    [Fact]
    public async Task Upload_AllWithSerialPlaceholderAndCollidingSerials_Exits64BeforeReading()
    {
        _cli.Plug("stm32f4", "1-1", SameSerial);
        _cli.Plug("stm32f4", "1-2", SameSerial);

        CliRun run = await _cli.RunAsync("upload", _dir.File("{serial}.bin"), "--address", "0x08000000", "--length", "64", "--all");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("would share the file").And.Contain("{path}");
        _dir.Entries().Should().BeEmpty();
    }

    [Fact]
    public async Task Erase_All_ErasesEveryBoard()
    {
        CliRun run = await _cli.RunAsync("erase", "--address", "0x08000000", "--length", "16", "--device", "sim:stm32f4*3", "--all", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        Boards(run).Should().HaveCount(3).And.AllSatisfy(b => b.GetProperty("erasedSectors").GetInt32().Should().Be(1));
    }

    [Fact]
    public async Task Detach_AllRuntimeBoards_SwitchesEachToDfuMode()
    {
        CliRun run = await _cli.RunAsync("detach", "--device", "sim:runtime*2", "--all", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        Boards(run).Should().HaveCount(2).And.AllSatisfy(b =>
        {
            b.GetProperty("outcome").GetString().Should().Be("detached");
            b.GetProperty("device").GetProperty("mode").GetString().Should().Be("dfu");
        });
    }

    [Fact]
    public async Task Leave_DeviceGivenTwice_Exits64()
    {
        CliRun run = await _cli.RunAsync("leave", "--device", "sim:stm32f4", "--device", "path=sim-1");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("runs on one board");
    }

    [Fact]
    public async Task SimulatedRig_CountOutOfRange_Exits64()
    {
        CliRun run = await _cli.RunAsync("erase", "--mass", "--device", "sim:stm32f4*0", "--all");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("board count");
    }

    [Fact]
    public async Task SimState_Folder_KeepsOneStatePerBoard()
    {
        byte[] firmware = SimCli.Random(1024, seed: 12);
        string states = _dir.File("rig") + Path.DirectorySeparatorChar;

        CliRun flashed = await _cli.RunAsync("download", _dir.Write("fw.bin", firmware), "--address", "0x08000000",
            "--device", "sim:stm32f4*2", "--all", "--sim-state", states);
        CliRun erasedFirst = await _cli.RunAsync("erase", "--address", "0x08000000", "--length", "16",
            "--device", "sim:stm32f4*2,path=sim-1", "--sim-state", states);
        CliRun read = await _cli.RunAsync("upload", _dir.File("out.bin"), "--address", "0x08000000", "--length", "1024",
            "--device", "sim:stm32f4*2", "--all", "--sim-state", states);

        flashed.ExitCode.Should().Be(0, flashed.ToString());
        erasedFirst.ExitCode.Should().Be(0, erasedFirst.ToString());
        read.ExitCode.Should().Be(0, read.ToString());
        Directory.GetFiles(states).Select(Path.GetFileName).Should().BeEquivalentTo("sim-1.state", "sim-2.state");
        File.ReadAllBytes(_dir.File("out-sim-1.bin")).Should().OnlyContain(b => b == 0xFF);
        File.ReadAllBytes(_dir.File("out-sim-2.bin")).Should().Equal(firmware);
    }

    [Fact]
    public async Task SimState_FileForManyBoards_Exits64()
    {
        CliRun run = await _cli.RunAsync("erase", "--mass", "--device", "sim:stm32f4*2", "--all", "--sim-state", _dir.File("one.state"));

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("name a folder");
    }

    [Fact]
    public async Task SimState_SingleFile_StillKeepsOneBoard()
    {
        byte[] firmware = SimCli.Random(512, seed: 13);
        string state = _dir.File("board.state");

        CliRun flashed = await _cli.RunAsync("download", _dir.Write("fw.bin", firmware), "--address", "0x08000000", "--device", "sim:stm32f4", "--sim-state", state);
        CliRun read = await _cli.RunAsync("upload", _dir.File("out.bin"), "--address", "0x08000000", "--length", "512", "--device", "sim:stm32f4", "--sim-state", state);

        flashed.ExitCode.Should().Be(0, flashed.ToString());
        read.ExitCode.Should().Be(0, read.ToString());
        File.ReadAllBytes(_dir.File("out.bin")).Should().Equal(firmware);
    }

    // Virtual time is exact: boards that really run at once take the virtual time of one; one at a time, the sum.
    [Theory]
    [InlineData(null, 4)]
    [InlineData(2, 2)]
    [InlineData(1, 1)]
    public async Task Runner_RunsMaxParallelBoardsAtOnce_AllByDefault(int? maxParallel, int expected)
    {
        // No clock: each board's work waits until `expected` boards are inside at once. A runner that serialised the
        // boards would never get there (the wait's bound fails the board); one that ran more would exceed the peak.
        var cli = new SimCli();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new Infrastructure.CliContext(stdout, stderr, Interactive: false) { Devices = cli.Environment };
        await using Devices.DeviceBus bus = await Devices.DeviceBus.CreateAsync(context.Devices, new Devices.DeviceRequest("sim:stm32f4*4", null, null), CancellationToken.None);
        IReadOnlyList<Usb.UsbDeviceInfo> boards = await bus.ListBoardsAsync(all: true, CancellationToken.None);
        int running = 0;
        int peak = 0;
        var together = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        int code = await Devices.ManyBoards.RunAsync(context, "info", bus, boards, new Devices.ManyRequest(true, true, maxParallel, false), json: true,
            async (board, device, token) =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                if (now == expected)
                {
                    together.TrySetResult();
                }

                await together.Task.WaitAsync(TimeSpan.FromSeconds(60), token);
                Interlocked.Decrement(ref running);
                return new Devices.BoardOutcome<Json.ErrorJson>(new Json.ErrorJson(device.Info.PortPath), ExitCodes.Ok, "ok");
            }, Json.CliJson.Context.ErrorJson, CancellationToken.None);

        code.Should().Be(0, stderr.ToString());
        peak.Should().Be(expected);
        JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("succeeded").GetInt32().Should().Be(4);

        static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    [Fact]
    public void BoardFiles_PlaceholdersAndUnsafeCharacters_AreFilledAndReplaced()
    {
        Usb.UsbDeviceInfo board = SimulatedDfuDevice.Create("stm32f4").Device;
        Usb.UsbDeviceInfo[] boards = [board with { PortPath = "1-1:2", SerialNumber = "A/B" }, board with { PortPath = "1-2", SerialNumber = null }];

        IReadOnlyDictionary<string, string> named = Devices.BoardFiles.Name("upload", Path.Combine("out", "{n}_{serial}_{path}.hex"), boards);
        IReadOnlyDictionary<string, string> suffixed = Devices.BoardFiles.Name("upload", "dump", boards);
        IReadOnlyDictionary<string, string> alone = Devices.BoardFiles.Name("upload", "dump.bin", boards[..1]);

        named["1-1:2"].Should().Be(Path.Combine("out", "1_A_B_1-1_2.hex"));
        named["1-2"].Should().Be(Path.Combine("out", "2_noserial_1-2.hex"));
        suffixed.Values.Should().Equal("dump-1-1_2", "dump-1-2");
        alone["1-1:2"].Should().Be("dump.bin");
    }

    [Theory]
    [InlineData(new[] { 0, 0, 0 }, 0)]
    [InlineData(new[] { 0, 64, 0 }, 64)]
    [InlineData(new[] { 69, 76, 74 }, 76)]
    [InlineData(new[] { 65, 75 }, 65)]
    [InlineData(new[] { 74, 65, 69 }, 74)]
    [InlineData(new[] { 76, 70 }, 70)]
    [InlineData(new[] { 70, 130 }, 130)]
    [InlineData(new[] { 64, 66, 73 }, 73)]
    [InlineData(new[] { 64, 1 }, 64)]
    public void MostSevere_RanksDeviceFaultsBeforeHostProblems(int[] codes, int expected)
        => ExitCodes.MostSevere(codes).Should().Be(expected);
}
