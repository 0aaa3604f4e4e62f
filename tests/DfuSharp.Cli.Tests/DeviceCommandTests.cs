using System.Text.Json;

using DfuSharp.Formats;
using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests;

public sealed class DeviceCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string?> Profiles => new()
    {
        { "stm32f4", "0x08000000" },
        { "stm32f1-app", "0x08003000" },
        { "dfu11", null },
        { "runtime", null },
    };

    [Fact]
    public async Task Download_SampleWithVerify_FlashesTheSample()
    {
        string sample = TestPaths.InRepo("samples", "blinky-stm32f4.dfu");
        byte[] expected = await File.ReadAllBytesAsync(TestPaths.InRepo("samples", "blinky-stm32f4.bin"));

        CliRun run = await _cli.RunAsync("download", sample, "--device", "sim:stm32f4", "--verify");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("verified: yes, 4096 bytes read back and equal");
        _cli.Device.ReadMemory(0x0800_0000, expected.Length).Should().Equal(expected);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task DownloadThenUpload_WithSimState_RoundTrips(string profile, string? address)
    {
        byte[] firmware = SimCli.Random(5000, seed: profile.Length);
        string bin = _dir.Write("fw.bin", firmware);
        string state = _dir.File("device.sim");
        string[] at = address is null ? [] : ["--address", address];

        CliRun download = await _cli.RunAsync(["download", bin, "--device", $"sim:{profile}", "--sim-state", state, "--verify", .. at]);
        download.ExitCode.Should().Be(0, download.ToString());
        File.Exists(state).Should().BeTrue();

        string back = _dir.File("back.bin");
        CliRun upload = await _cli.RunAsync(["upload", back, "--device", $"sim:{profile}", "--sim-state", state, "--length", "5000", .. at]);

        upload.ExitCode.Should().Be(0, upload.ToString());
        (await File.ReadAllBytesAsync(back)).Should().Equal(firmware);
    }

    [Theory]
    [InlineData("back.hex")]
    [InlineData("back.srec")]
    [InlineData("back.dfu")]
    public async Task Upload_TextAndDfuFormats_HoldTheFirmwareAtItsAddress(string name)
    {
        byte[] firmware = SimCli.Random(3000, seed: 7);
        string state = _dir.File("device.sim");
        (await _cli.RunAsync("download", _dir.Write("fw.bin", firmware), "--address", "0x08004000", "--device", "sim:stm32f4", "--sim-state", state))
            .ExitCode.Should().Be(0);

        string back = _dir.File(name);
        CliRun upload = await _cli.RunAsync("upload", back, "--address", "0x08004000", "--length", "3000", "--device", "sim:stm32f4", "--sim-state", state);

        upload.ExitCode.Should().Be(0, upload.ToString());
        CliRun info = await _cli.RunAsync("file", "info", back, "--json");
        JsonElement segment = name.EndsWith(".dfu", StringComparison.Ordinal)
            ? info.Json().GetProperty("targets")[0].GetProperty("elements")[0]
            : info.Json().GetProperty("segments")[0];
        segment.GetProperty("address").GetUInt32().Should().Be(0x0800_4000u);
        segment.GetProperty("size").GetInt64().Should().Be(3000);
        segment.GetProperty("sha256").GetString().Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(firmware)));
    }

    [Fact]
    public async Task Download_HexFileOnDfuSeDevice_WritesAtItsAddresses()
    {
        byte[] firmware = SimCli.Random(600, seed: 3);
        string bin = _dir.Write("fw.bin", firmware);
        string hex = _dir.File("fw.hex");
        (await _cli.RunAsync("file", "convert", bin, hex, "--address", "0x08008000")).ExitCode.Should().Be(0);

        CliRun run = await _cli.RunAsync("download", hex, "--device", "sim:stm32f4", "--verify");

        run.ExitCode.Should().Be(0, run.ToString());
        _cli.Device.ReadMemory(0x0800_8000, 600).Should().Equal(firmware);
    }

    [Fact]
    public async Task Download_Json_PrintsOneResultObjectAndProgressOnStderr()
    {
        string sample = TestPaths.InRepo("samples", "blinky-stm32f4.dfu");

        CliRun run = await _cli.RunAsync("download", sample, "--device", "sim:stm32f4", "--verify", "--leave", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement json = run.Json();
        json.GetProperty("command").GetString().Should().Be("download");
        json.GetProperty("dryRun").GetBoolean().Should().BeFalse();
        json.GetProperty("writtenBytes").GetInt64().Should().Be(4096);
        json.GetProperty("erasedSectors").GetInt32().Should().Be(1);
        json.GetProperty("verified").GetBoolean().Should().BeTrue();
        json.GetProperty("outcome").GetString().Should().Be("left");
        json.GetProperty("device").GetProperty("vendorId").GetInt32().Should().Be(0x0483);
        json.GetProperty("device").GetProperty("path").GetString().Should().Be("sim-1");
        json.GetProperty("plan").ValueKind.Should().Be(JsonValueKind.Null);
        run.Stderr.Should().Contain("dfusharp: download: 100% (4096/4096 bytes)");
    }

    [Fact]
    public async Task Download_DryRunJson_PrintsThePlanAndSendsNothing()
    {
        string sample = TestPaths.InRepo("samples", "blinky-stm32f4.dfu");

        CliRun run = await _cli.RunAsync("download", sample, "--device", "sim:stm32f4", "--verify", "--leave", "--dry-run", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement json = run.Json();
        json.GetProperty("dryRun").GetBoolean().Should().BeTrue();
        JsonElement plan = json.GetProperty("plan");
        plan.GetProperty("protocol").GetString().Should().Be("DfuSe");
        plan.GetProperty("transferSize").GetInt32().Should().Be(2048);
        plan.GetProperty("writeBytes").GetInt64().Should().Be(4096);
        plan.GetProperty("verifyBytes").GetInt64().Should().Be(4096);
        string[] kinds = [.. plan.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("kind").GetString()!).Distinct()];
        kinds.Should().Equal("SelectAlternateSetting", "Erase", "SetAddress", "Write", "Verify", "DfuSeLeave");
        json.GetProperty("warnings").GetArrayLength().Should().Be(0);
        JsonElement erase = plan.GetProperty("steps").EnumerateArray().First(s => s.GetProperty("kind").GetString() == "Erase");
        erase.GetProperty("address").GetUInt32().Should().Be(0x0800_0000u);
        _cli.Device.DataBlocksReceived.Should().Be(0);
        _cli.Device.Transcript.ToString().Should().NotContain("DNLOAD");
        run.Stderr.Should().BeEmpty();
    }

    [Fact]
    public async Task Download_DryRunText_ListsEraseWriteAndSendsNothing()
    {
        string sample = TestPaths.InRepo("samples", "blinky-stm32f4.dfu");

        CliRun run = await _cli.RunAsync("download", sample, "--device", "sim:stm32f4", "--dry-run");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("nothing was sent").And.Contain("erase    1 sector(s): 0x08000000")
            .And.Contain("write    4096 bytes in 2 block(s), 0x08000000-0x08000FFF");
        _cli.Device.DataBlocksReceived.Should().Be(0);
    }

    [Theory]
    [InlineData("spec", "per-chunk", 3)]
    [InlineData("hold", "address-once", 2)]
    public async Task Download_PacingAndAddressing_ReportedInJson(string pacing, string addressing, int setAddresses)
    {
        string sample = TestPaths.InRepo("samples", "blinky-stm32f4.dfu");

        CliRun run = await _cli.RunAsync("download", sample, "--device", "sim:stm32f4", "--verify", "--json", "--pacing", pacing, "--addressing", addressing);

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement json = run.Json();
        json.GetProperty("pacing").GetString().Should().Be(pacing);
        json.GetProperty("addressing").GetString().Should().Be(addressing);
        json.GetProperty("controlTransfers").GetInt64().Should().BePositive();
        json.GetProperty("deviceMinimumSeconds").GetDouble().Should().BePositive();
        json.GetProperty("elapsedSeconds").GetDouble().Should().BeGreaterThanOrEqualTo(json.GetProperty("deviceMinimumSeconds").GetDouble());
        _cli.Device.Transcript.Entries.Count(e => e.Detail.StartsWith("set address", StringComparison.Ordinal)).Should().Be(setAddresses);
    }

    [Fact]
    public async Task Download_DryRunText_ShowsPacingAndAddressing()
    {
        string sample = TestPaths.InRepo("samples", "blinky-stm32f4.dfu");

        CliRun run = await _cli.RunAsync("download", sample, "--device", "sim:stm32f4", "--dry-run", "--addressing", "address-once");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("pacing   adaptive (starts in hold: the device holds GETSTATUS while busy), addressing address-once")
            .And.Contain("address  1 Set Address Pointer command(s)");
    }

    [Fact]
    public async Task Download_UnknownPacing_IsAUsageError()
    {
        string sample = TestPaths.InRepo("samples", "blinky-stm32f4.dfu");

        CliRun run = await _cli.RunAsync("download", sample, "--device", "sim:stm32f4", "--pacing", "fast");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("fast");
    }

    [Fact]
    public async Task Download_Backup_WritesTheFirmwareItReplaces()
    {
        byte[] first = SimCli.Random(4096, seed: 1);
        byte[] second = SimCli.Random(4096, seed: 2);
        string state = _dir.File("device.sim");
        (await _cli.RunAsync("download", _dir.Write("a.bin", first), "--address", "0x08000000", "--device", "sim:stm32f4", "--sim-state", state))
            .ExitCode.Should().Be(0);
        string backup = _dir.File("previous.dfu");

        CliRun run = await _cli.RunAsync("download", _dir.Write("b.bin", second), "--address", "0x08000000", "--device", "sim:stm32f4",
            "--sim-state", state, "--backup", backup, "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("backup").GetString().Should().Be(backup);
        DfuFile saved = DfuFile.Read(await File.ReadAllBytesAsync(backup));
        saved.Suffix!.VendorId.Should().Be(0x0483);
        DfuSeElement element = saved.DfuSe!.Targets.Single().Elements.Single();
        element.Address.Should().Be(0x0800_0000u);
        element.Data.Length.Should().Be(16 * 1024, "the backup holds the whole sector the download erases");
        element.Data[..4096].ToArray().Should().Equal(first);
        _cli.Device.ReadMemory(0x0800_0000, 4096).Should().Equal(second);
    }

    [Fact]
    public async Task Download_FileForAnotherDevice_IsRefusedUnlessForced()
    {
        string bin = _dir.Write("fw.bin", SimCli.Random(1024, seed: 5));
        string dfu = _dir.File("other.dfu");
        (await _cli.RunAsync("file", "pack", dfu, "--bin", $"0x08000000:{bin}", "--vid", "0x1234", "--pid", "0x5678")).ExitCode.Should().Be(0);

        CliRun refused = await _cli.RunAsync("download", dfu, "--device", "sim:stm32f4");

        refused.ExitCode.Should().Be(65, refused.ToString());
        refused.Stderr.Should().Contain("1234:5678").And.Contain("--force");
        _cli.Device.DataBlocksReceived.Should().Be(0);

        CliRun forced = await _cli.RunAsync("download", dfu, "--device", "sim:stm32f4", "--force");
        forced.ExitCode.Should().Be(0, forced.ToString());
        _cli.Device.DataBlocksReceived.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Download_TargetNamedForAnotherMemory_IsRefusedUnlessForced()
    {
        string bin = _dir.Write("fw.bin", SimCli.Random(1024, seed: 6));
        string dfu = _dir.File("named.dfu");
        (await _cli.RunAsync("file", "pack", dfu, "--alt", "0", "--name", "External Flash", "--bin", $"0x08000000:{bin}", "--did", "0xffff"))
            .ExitCode.Should().Be(0);

        CliRun refused = await _cli.RunAsync("download", dfu, "--device", "sim:stm32f4");
        CliRun forced = await _cli.RunAsync("download", dfu, "--device", "sim:stm32f4", "--force");

        refused.ExitCode.Should().Be(65, refused.ToString());
        refused.Stderr.Should().Contain("External Flash");
        forced.ExitCode.Should().Be(0, forced.ToString());
    }

    [Theory]
    [InlineData("0x1209", "0xdf11", 0)]
    [InlineData("0x1209", "0x0001", 65)]
    [InlineData("0xffff", "0xffff", 0)]
    public async Task Download_PlainDfuFile_IsCheckedAgainstVidAndPid(string vid, string pid, int exitCode)
    {
        byte[] firmware = SimCli.Random(2500, seed: 11);
        string dfu = _dir.Write("fw.dfu", firmware);
        (await _cli.RunAsync("file", "suffix", "add", dfu, "--vid", vid, "--pid", pid)).ExitCode.Should().Be(0);

        CliRun run = await _cli.RunAsync("download", dfu, "--device", "sim:dfu11", "--verify");

        run.ExitCode.Should().Be(exitCode, run.ToString());
        if (exitCode == 0)
        {
            _cli.Device.Firmware.ToArray().Should().Equal(firmware);
        }
        else
        {
            _cli.Device.DataBlocksReceived.Should().Be(0);
        }
    }

    [Fact]
    public async Task Download_DfuSeFileOnPlainDevice_IsRefused()
    {
        CliRun run = await _cli.RunAsync("download", TestPaths.InRepo("samples", "blinky-stm32f4.dfu"), "--device", "sim:dfu11");

        run.ExitCode.Should().Be(65, run.ToString());
        _cli.Device.DataBlocksReceived.Should().Be(0);
    }

    [Fact]
    public async Task Download_HexFileOnPlainDevice_IsRefused()
    {
        string hex = _dir.File("fw.hex");
        (await _cli.RunAsync("file", "convert", _dir.Write("fw.bin", [1, 2, 3]), hex)).ExitCode.Should().Be(0);

        CliRun run = await _cli.RunAsync("download", hex, "--device", "sim:dfu11");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("plain DFU 1.1");
    }

    [Fact]
    public async Task Download_BinOnDfuSeDeviceWithoutAddress_IsAUsageError()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", [1, 2, 3]), "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("--address");
    }

    [Fact]
    public async Task Download_ProtectedBootloaderArea_IsRefusedBeforeSending()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", [1, 2, 3]), "--address", "0x08000000", "--device", "sim:stm32f1-app");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("not writable").And.Contain("--force cannot override this");
        _cli.Device.DataBlocksReceived.Should().Be(0);
    }

    [Fact]
    public async Task Download_PlainProgress_IsThrottledToTenthsOfEachPhase()
    {
        string bin = _dir.Write("fw.bin", SimCli.Random(200 * 1024, seed: 9));

        CliRun run = await _cli.RunAsync("download", bin, "--device", "sim:dfu11", "--verify");

        run.ExitCode.Should().Be(0, run.ToString());
        string[] lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Count(l => l.StartsWith("dfusharp: download:", StringComparison.Ordinal)).Should().BeInRange(10, 11);
        lines.Count(l => l.StartsWith("dfusharp: verify:", StringComparison.Ordinal)).Should().BeInRange(10, 11);
        lines.Should().Contain(l => l.Contains("download: 100% (204800/204800 bytes)", StringComparison.Ordinal));
        run.Stdout.Should().Contain("written:  204800 bytes in 200 block(s) of up to 1024").And.Contain("verified: yes, 204800 bytes");
    }

    [Fact]
    public async Task List_Json_ListsDevicesWithTheirAlternateSettingsAndLayouts()
    {
        CliRun run = await _cli.RunAsync("list", "--device", "sim:stm32f4", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement device = run.Json().GetProperty("devices").EnumerateArray().Single();
        device.GetProperty("device").GetProperty("productId").GetInt32().Should().Be(0xDF11);
        device.GetProperty("device").GetProperty("mode").GetString().Should().Be("dfu");
        JsonElement[] alts = [.. device.GetProperty("alternateSettings").EnumerateArray()];
        alts.Should().HaveCount(4);
        JsonElement flash = alts[0].GetProperty("layout");
        flash.GetProperty("name").GetString().Should().Be("Internal Flash");
        flash.GetProperty("regions")[0].GetProperty("address").GetUInt32().Should().Be(0x0800_0000u);
        flash.GetProperty("regions")[0].GetProperty("length").GetUInt64().Should().Be(1024 * 1024);
    }

    [Fact]
    public async Task List_Text_ShowsEachAlternateSetting()
    {
        CliRun run = await _cli.RunAsync("list", "--device", "sim:stm32f1-app");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("1209:db42 ").And.Contain("intf 0 alt 0: @Internal Flash");
    }

    [Fact]
    public async Task List_NoDevicesOnTheBus_SaysSoAndSucceeds()
    {
        CliRun run = await _cli.RunAsync("list");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Be("No DFU devices found." + Environment.NewLine);
    }

    [Theory]
    [InlineData("stm32f4", "dfu", 4)]
    [InlineData("stm32f1-app", "dfu", 1)]
    [InlineData("dfu11", "dfu", 1)]
    [InlineData("runtime", "runtime", 1)]
    public async Task ListAndInfo_EveryProfile_DescribeTheDevice(string profile, string mode, int alternates)
    {
        CliRun list = await _cli.RunAsync("list", "--device", $"sim:{profile}", "--json");
        CliRun info = await _cli.RunAsync("info", "--device", $"sim:{profile}", "--json");

        list.ExitCode.Should().Be(0, list.ToString());
        info.ExitCode.Should().Be(0, info.ToString());
        list.Json().GetProperty("devices")[0].GetProperty("alternateSettings").GetArrayLength().Should().Be(alternates);
        info.Json().GetProperty("device").GetProperty("mode").GetString().Should().Be(mode);
        info.Json().GetProperty("descriptor").GetProperty("transferSize").GetInt32().Should().Be(_cli.Device.Profile.TransferSize);
    }

    [Fact]
    public async Task Upload_OptionBytesByAlternateName_ReadsThatMemory()
    {
        string back = _dir.File("options.bin");

        CliRun run = await _cli.RunAsync("upload", back, "--device", "sim:stm32f4", "--alt", "Option Bytes", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("alternateSetting").GetInt32().Should().Be(1);
        run.Json().GetProperty("address").GetUInt32().Should().Be(0x1FFF_C000u);
        (await File.ReadAllBytesAsync(back)).Should().Equal(_cli.Device.ReadMemory(0x1FFF_C000, 16));
    }

    [Fact]
    public async Task Download_DryRunOnRuntimeDevice_SaysItWillDetachAndSendsNothing()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", [1, 2, 3]), "--device", "sim:runtime", "--dry-run");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("run-time mode").And.Contain("manifest");
        _cli.Device.Profile.IsRuntime.Should().BeTrue();
    }

    [Fact]
    public async Task Info_Stm32F4_ShowsDescriptorLayoutStateAndCommands()
    {
        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("bcdDFUVersion 0x011A (DfuSe), wTransferSize 2048")
            .And.Contain("State:       dfuIDLE, status OK")
            .And.Contain("DfuSe:       get-commands, set-address, erase, read-unprotect")
            .And.Contain("0x08000000-0x080FFFFF (1 MiB): 4 x 16 KiB rew, 1 x 64 KiB rew, 7 x 128 KiB rew");
    }

    [Fact]
    public async Task Info_JsonByAlternateName_SelectsThatSetting()
    {
        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--alt", "Option Bytes", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement json = run.Json();
        json.GetProperty("alternateSetting").GetInt32().Should().Be(1);
        json.GetProperty("state").GetString().Should().Be("dfuIDLE");
        json.GetProperty("descriptor").GetProperty("dfuSe").GetBoolean().Should().BeTrue();
        json.GetProperty("dfuSeCommands").EnumerateArray().Select(c => c.GetString()).Should().Contain("read-unprotect");
    }

    [Fact]
    public async Task Info_RuntimeDevice_ReportsRunTimeModeWithoutDfuState()
    {
        CliRun run = await _cli.RunAsync("info", "--device", "sim:runtime", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("device").GetProperty("mode").GetString().Should().Be("runtime");
        run.Json().GetProperty("state").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Detach_RuntimeDevice_ComesBackInDfuMode()
    {
        CliRun run = await _cli.RunAsync("detach", "--device", "sim:runtime", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("outcome").GetString().Should().Be("detached");
        run.Json().GetProperty("device").GetProperty("mode").GetString().Should().Be("dfu");
        _cli.Device.Profile.IsRuntime.Should().BeFalse();
    }

    [Fact]
    public async Task Detach_DeviceAlreadyInDfuMode_SaysSo()
    {
        CliRun run = await _cli.RunAsync("detach", "--device", "sim:dfu11");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("already in DFU mode");
    }

    [Fact]
    public async Task Erase_Range_ErasesEveryTouchedSector()
    {
        string state = _dir.File("device.sim");
        (await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(40 * 1024, seed: 4)), "--address", "0x08000000",
            "--device", "sim:stm32f4", "--sim-state", state)).ExitCode.Should().Be(0);

        CliRun run = await _cli.RunAsync("erase", "--address", "0x08003000", "--length", "0x2000", "--device", "sim:stm32f4", "--sim-state", state, "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("erasedSectors").GetInt32().Should().Be(2);
        // 0x08003000..0x08004FFF touches the first two 16 KiB sectors; the third keeps its data.
        _cli.Device.ReadMemory(0x0800_0000, 0x8000).Should().OnlyContain(b => b == 0xFF);
        _cli.Device.ReadMemory(0x0800_8000, 0x2000).Should().Equal(SimCli.Random(40 * 1024, seed: 4)[0x8000..]);
    }

    [Fact]
    public async Task Erase_Mass_ErasesTheWholeFlash()
    {
        string state = _dir.File("device.sim");
        (await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(1000, seed: 8)), "--address", "0x08020000",
            "--device", "sim:stm32f4", "--sim-state", state)).ExitCode.Should().Be(0);

        CliRun run = await _cli.RunAsync("erase", "--mass", "--device", "sim:stm32f4", "--sim-state", state);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("Mass-erased alt 0");
        _cli.Device.ReadMemory(0x0802_0000, 1000).Should().OnlyContain(b => b == 0xFF);
    }

    [Theory]
    [InlineData]
    [InlineData("--mass", "--address", "0x08000000", "--length", "4")]
    [InlineData("--address", "0x08000000")]
    public async Task Erase_WithoutExactlyOneRange_IsAUsageError(params string[] options)
    {
        CliRun run = await _cli.RunAsync(["erase", "--device", "sim:stm32f4", .. options]);

        run.ExitCode.Should().Be(64, run.ToString());
    }

    [Fact]
    public async Task Erase_PlainDfuDevice_IsAUsageError()
    {
        CliRun run = await _cli.RunAsync("erase", "--mass", "--device", "sim:dfu11");

        run.ExitCode.Should().Be(64, run.ToString());
    }

    [Fact]
    public async Task Unprotect_ReadProtectedStm32F4_ErasesAndLeaves()
    {
        _cli.Options = new SimulatedDeviceOptions { ReadProtected = true };

        CliRun run = await _cli.RunAsync("unprotect", "--device", "sim:stm32f4", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("command").GetString().Should().Be("unprotect");
        _cli.Device.ReadProtected.Should().BeFalse();
    }

    [Fact]
    public async Task SimState_FromAnotherProfile_IsABadFile()
    {
        string state = _dir.File("device.sim");
        (await _cli.RunAsync("download", _dir.Write("fw.bin", [1, 2, 3]), "--device", "sim:dfu11", "--sim-state", state)).ExitCode.Should().Be(0);

        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--sim-state", state);

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain(state);
    }
}
