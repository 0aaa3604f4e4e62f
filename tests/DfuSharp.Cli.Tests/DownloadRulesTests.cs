using System.Text.Json;

using DfuSharp.Formats;

namespace DfuSharp.Cli.Tests;

/// <summary>File-versus-device rules, what --force may override, consent for irreversible memory, and empty images.</summary>
public sealed class DownloadRulesTests : IDisposable
{
    private static readonly byte[] OptionBytes = [0xEC, 0xAA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Download_DfusePackFileWithBcdDeviceZero_FlashesTheStRomWithoutForce()
    {
        // dfuse-pack and ST's DfuFileMgr write bcdDevice 0x0000; the ST ROM reports 0x2200.
        string file = Write("pack.dfu", Dfu(0x0483, 0xDF11, 0x0000, (0, "Internal Flash", 0x0800_0000, SimCli.Random(100, seed: 1))));

        CliRun run = await _cli.RunAsync("download", file, "--device", "sim:stm32f4", "--verify", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stderr.Should().NotContain("warning");
        run.Json().GetProperty("warnings").GetArrayLength().Should().Be(0);
    }

    [VectorsFact]
    public async Task Download_RealDfusePackVector_FlashesTheStRomWithoutForce()
    {
        // Made by dfuse-pack (bcdDevice 0x0000, target name "ST..."), as ../shared/vectors/MANIFEST.json records.
        string vector = Path.Combine(TestPaths.VectorsDirectory, "gen", "dfuse", "single.dfu");
        DfuSeElement element = DfuFile.Read(await File.ReadAllBytesAsync(vector)).DfuSe!.Targets.Single().Elements.Single();

        CliRun run = await _cli.RunAsync("download", vector, "--device", "sim:stm32f4", "--verify");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stderr.Should().NotContain("warning");
        _cli.Device.ReadMemory(element.Address, element.Data.Length).Should().Equal(element.Data.ToArray());
    }

    [Fact]
    public async Task Download_OtherBcdDevice_WarnsOnStderrAndInJsonButFlashes()
    {
        string file = Write("other.dfu", Dfu(0x0483, 0xDF11, 0x1234, (0, null, 0x0800_0000, SimCli.Random(100, seed: 2))));

        CliRun run = await _cli.RunAsync("download", file, "--device", "sim:stm32f4", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stderr.Should().Contain("warning").And.Contain("bcdDevice 0x1234");
        run.Json().GetProperty("warnings")[0].GetString().Should().Contain("0x2200");
    }

    [Fact]
    public async Task Download_OtherVidPid_RefusedSayingForceWouldOverride()
    {
        string file = Write("other.dfu", Dfu(0x1234, 0x5678, 0xFFFF, (0, null, 0x0800_0000, [1, 2, 3])));

        CliRun run = await _cli.RunAsync("download", file, "--device", "sim:stm32f4");
        CliRun forced = await _cli.RunAsync("download", file, "--device", "sim:stm32f4", "--force");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("--force would write it anyway");
        forced.ExitCode.Should().Be(0, forced.ToString());
    }

    [Fact]
    public async Task Download_DfuSeFileToPlainDevice_RefusedEvenWithForce()
    {
        string file = Write("dfuse.dfu", Dfu(0xFFFF, 0xFFFF, 0xFFFF, (0, null, 0x0800_0000, [1, 2, 3])));

        CliRun run = await _cli.RunAsync("download", file, "--device", "sim:dfu11", "--force", "--verify");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("never sent raw").And.Contain("--force cannot override this");
        _cli.Device.DataBlocksReceived.Should().Be(0);
    }

    [Fact]
    public async Task Download_OverlappingElementsWithDifferentBytes_RefusedNamingBothElements()
    {
        string file = Write("overlap.dfu", Dfu(0x0483, 0xDF11, 0x0000,
            (0, null, 0x0800_0000, [1, 1, 1, 1]), (0, null, 0x0800_0002, [2, 2, 2, 2])));

        CliRun run = await _cli.RunAsync("download", file, "--device", "sim:stm32f4", "--force");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("0x08000000").And.Contain("0x08000002");
        _cli.Device.DataBlocksReceived.Should().Be(0);
    }

    [Fact]
    public async Task Download_OptionBytes_NeedAllowOptionBytesNotForce()
    {
        string file = Write("ob.dfu", Dfu(0x0483, 0xDF11, 0x0000, (1, "Option Bytes", 0x1FFF_C000, OptionBytes)));

        CliRun refused = await _cli.RunAsync("download", file, "--device", "sim:stm32f4", "--force");
        CliRun allowed = await _cli.RunAsync("download", file, "--device", "sim:stm32f4", "--allow-option-bytes", "--verify");

        refused.ExitCode.Should().Be(64, refused.ToString());
        refused.Stderr.Should().Contain("--allow-option-bytes").And.Contain("--force does not count");
        allowed.ExitCode.Should().Be(0, allowed.ToString());
    }

    [Fact]
    public async Task Download_ReadProtectionLevel2_NeedsAllowIrreversible()
    {
        byte[] level2 = [.. OptionBytes];
        level2[1] = 0xCC;
        string file = Write("rdp2.dfu", Dfu(0x0483, 0xDF11, 0x0000, (1, "Option Bytes", 0x1FFF_C000, level2)));

        CliRun run = await _cli.RunAsync("download", file, "--device", "sim:stm32f4", "--allow-option-bytes", "--force");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("level 2").And.Contain("--allow-irreversible");
        _cli.Device.DataBlocksReceived.Should().Be(0);
    }

    [Fact]
    public async Task Download_Otp_NeedsAllowIrreversible()
    {
        string file = Write("otp.dfu", Dfu(0x0483, 0xDF11, 0x0000, (2, null, 0x1FFF_7800, [1, 2, 3, 4])));

        CliRun run = await _cli.RunAsync("download", file, "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("one-time-programmable").And.Contain("--allow-irreversible");
    }

    [Theory]
    [InlineData("sim:stm32f4", "0x08000000")]
    [InlineData("sim:dfu11", null)]
    public async Task Download_EmptyBin_RefusedAsDataError(string device, string? address)
    {
        string bin = _dir.Write("empty.bin", []);
        string[] args = address is null
            ? ["download", bin, "--device", device, "--verify"]
            : ["download", bin, "--device", device, "--verify", "--address", address];

        CliRun run = await _cli.RunAsync(args);

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stdout.Should().NotContain("verified");
    }

    [Fact]
    public async Task Download_LeaveAfterBin_JumpsToTheAddress()
    {
        string bin = _dir.Write("fw.bin", SimCli.Random(64, seed: 3));

        CliRun run = await _cli.RunAsync("download", bin, "--device", "sim:stm32f4", "--address", "0x08004000", "--leave", "--dry-run", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement last = run.Json().GetProperty("plan").GetProperty("steps").EnumerateArray().Last();
        last.GetProperty("kind").GetString().Should().Be("DfuSeLeave");
        last.GetProperty("address").GetUInt32().Should().Be(0x0800_4000u);
    }

    [Fact]
    public async Task Download_BackupNamesTheInput_Exits64AndTouchesNothing()
    {
        string file = Write("app.dfu", Dfu(0x0483, 0xDF11, 0x0000, (0, null, 0x0800_0000, [1, 2, 3])));
        byte[] before = await File.ReadAllBytesAsync(file);

        CliRun run = await _cli.RunAsync("download", file, "--device", "sim:stm32f4", "--backup", file);

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("--backup");
        (await File.ReadAllBytesAsync(file)).Should().Equal(before);
    }

    [Fact]
    public async Task Download_BackupNamesTheSimState_Exits64()
    {
        string state = _dir.File("device.sim");
        string file = Write("app.dfu", Dfu(0x0483, 0xDF11, 0x0000, (0, null, 0x0800_0000, [1, 2, 3])));

        CliRun run = await _cli.RunAsync("download", file, "--device", "sim:stm32f4", "--sim-state", state, "--backup", state);

        run.ExitCode.Should().Be(64, run.ToString());
    }

    [Fact]
    public async Task Download_BackupThenDownloadTheBackup_RestoresTheBoard()
    {
        string state = _dir.File("device.sim");
        byte[] first = SimCli.Random(20_000, seed: 4);
        (await _cli.RunAsync("download", _dir.Write("a.bin", first), "--address", "0x08000000", "--device", "sim:stm32f4", "--sim-state", state))
            .ExitCode.Should().Be(0);
        byte[] before = _cli.Device.ReadMemory(0x0800_0000, 0x2_0000);
        string backup = _dir.File("before.dfu");

        CliRun changed = await _cli.RunAsync("download", _dir.Write("b.bin", SimCli.Random(100, seed: 5)), "--address", "0x08003F80",
            "--device", "sim:stm32f4", "--sim-state", state, "--backup", backup);
        CliRun restored = await _cli.RunAsync("download", backup, "--device", "sim:stm32f4", "--sim-state", state, "--verify");

        changed.ExitCode.Should().Be(0, changed.ToString());
        restored.ExitCode.Should().Be(0, restored.ToString());
        _cli.Device.ReadMemory(0x0800_0000, 0x2_0000).Should().Equal(before);
    }

    [Fact]
    public async Task FilePack_OverlappingInputsWithDifferentBytes_RefusedNamingBoth()
    {
        string a = _dir.Write("a.bin", [1, 1, 1, 1]);
        string b = _dir.Write("b.bin", [2, 2, 2, 2]);

        CliRun run = await _cli.RunAsync("file", "pack", _dir.File("out.dfu"), "--bin", "0x08000000:" + a, "--bin", "0x08000002:" + b);
        CliRun same = await _cli.RunAsync("file", "pack", _dir.File("same.dfu"), "--bin", "0x08000000:" + a, "--bin", "0x08000002:" + _dir.Write("c.bin", [1, 1, 3]));

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("0x08000000").And.Contain("0x08000002");
        File.Exists(_dir.File("out.dfu")).Should().BeFalse();
        same.ExitCode.Should().Be(0, same.ToString());
    }

    private string Write(string name, DfuFile file) => _dir.Write(name, file.ToArray());

    private static DfuFile Dfu(ushort vid, ushort pid, ushort bcd, params (byte Alt, string? Name, uint Address, byte[] Data)[] elements)
        => DfuFile.FromDfuSe(
            new DfuSeImage([.. elements.GroupBy(e => (e.Alt, e.Name)).Select(g => new DfuSeTarget(g.Key.Alt, g.Key.Name, [.. g.Select(e => new DfuSeElement(e.Address, e.Data))]))]),
            new DfuSuffix { VendorId = vid, ProductId = pid, DeviceVersion = bcd, DfuVersion = DfuSuffix.DfuSe });
}
