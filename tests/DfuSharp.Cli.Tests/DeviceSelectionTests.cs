using System.Text.Json;

namespace DfuSharp.Cli.Tests;

/// <summary>
/// How the device commands pick a board on a bus of several: no selector, <c>--device</c> with one or two id pairs and
/// wildcards, <c>--serial</c>, <c>--path</c>, and HID applications (ST's HID detach), which are picked only when named.
/// The boards stand in for libusb's on a simulated bus at ports 1-1, 1-2, …
/// </summary>
public sealed class DeviceSelectionTests : IDisposable
{
    private const string F4Serial = "3276375B3034";

    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Paths(CliRun list)
        => [.. list.Json().GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("device").GetProperty("path").GetString()!)];

    private static JsonElement Device(CliRun run) => run.Json().GetProperty("device");

    [Fact]
    public async Task List_NoSelectorOnAMixedBus_ListsOnlyTheDfuBoards()
    {
        _cli.Plug("stm32f4", "1-1");
        _cli.Plug("hid-runtime", "1-2", serial: "HID-1");
        _cli.Plug("dfu11", "1-3");
        _cli.Plug("runtime", "1-4");

        CliRun run = await _cli.RunAsync("list", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        Paths(run).Should().Equal("1-1", "1-3", "1-4");
    }

    [Fact]
    public async Task Info_NoSelectorAndTwoBoards_Exits64ListingBothWithSerialAndPath()
    {
        _cli.Plug("stm32f4", "1-1", serial: "AAA1");
        _cli.Plug("dfu11", "1-2", serial: "BBB2");

        CliRun run = await _cli.RunAsync("info");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("2 devices match")
            .And.Contain("0483:df11 serial \"AAA1\" at 1-1")
            .And.Contain("1209:df11 serial \"BBB2\" at 1-2");
        run.Stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task Info_NoSelectorBesideAHidApplication_UsesTheOneDfuBoard()
    {
        _cli.Plug("hid-runtime", "1-1", serial: "HID-1");
        _cli.Plug("stm32f4", "1-2");

        CliRun run = await _cli.RunAsync("info", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        Device(run).GetProperty("path").GetString().Should().Be("1-2");
    }

    [Fact]
    public async Task Download_SerialOption_WritesOnlyThatBoard()
    {
        var first = _cli.Plug("stm32f4", "1-1", serial: "AAA1");
        var second = _cli.Plug("stm32f4", "1-2", serial: "BBB2");
        byte[] image = SimCli.Random(3000, seed: 31);

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", image), "--address", "0x08000000", "--serial", "BBB2", "--verify", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        Device(run).GetProperty("serialNumber").GetString().Should().Be("BBB2");
        second.ReadMemory(0x0800_0000, image.Length).Should().Equal(image);
        first.ReadMemory(0x0800_0000, image.Length).Should().OnlyContain(b => b == 0xFF);
    }

    [Fact]
    public async Task Info_TwoBoardsWithTheSameSerial_AmbiguousBySerialToldApartByPath()
    {
        _cli.Plug("stm32f4", "1-1");
        _cli.Plug("stm32f4", "1-2");

        CliRun bySerial = await _cli.RunAsync("info", "--serial", F4Serial);
        CliRun byPath = await _cli.RunAsync("info", "--serial", F4Serial, "--path", "1-2", "--json");

        bySerial.ExitCode.Should().Be(64, bySerial.ToString());
        bySerial.Stderr.Should().Contain("at 1-1").And.Contain("at 1-2");
        byPath.ExitCode.Should().Be(0, byPath.ToString());
        Device(byPath).GetProperty("path").GetString().Should().Be("1-2");
    }

    [Theory]
    [InlineData("--serial", "BBB2", "BBB2", "1-2")]
    [InlineData("--path", "1-1", "AAA1", "1-1")]
    public async Task List_SerialOrPathOption_ListsThatBoardOnly(string option, string value, string serial, string path)
    {
        _cli.Plug("stm32f4", "1-1", serial: "AAA1");
        _cli.Plug("stm32f4", "1-2", serial: "BBB2");

        CliRun run = await _cli.RunAsync("list", option, value, "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement device = run.Json().GetProperty("devices").EnumerateArray().Should().ContainSingle().Subject.GetProperty("device");
        device.GetProperty("serialNumber").GetString().Should().Be(serial);
        device.GetProperty("path").GetString().Should().Be(path);
    }

    [Theory]
    [InlineData("0483:df11,serial=AAA1", "--serial", "BBB2", "--serial \"BBB2\" contradicts serial=AAA1")]
    [InlineData("path=1-1", "--path", "1-2", "--path \"1-2\" contradicts path=1-1")]
    [InlineData("sim:stm32f4,serial=AAA1", "--serial", "BBB2", "--serial \"BBB2\" contradicts serial=AAA1")]
    [InlineData("0483:df11", "--serial", " ", "--serial needs a value")]
    [InlineData("0483:df11,alt=1", "--alt", "0", "--alt \"0\" contradicts alt=1")]
    [InlineData("alt=Option Bytes", "--alt", "Internal Flash", "--alt \"Internal Flash\" contradicts alt=Option Bytes")]
    public async Task Info_OptionContradictsDevice_Exits64(string device, string option, string value, string message)
    {
        _cli.Plug("stm32f4", "1-1", serial: "AAA1");

        CliRun run = await _cli.RunAsync("info", "--device", device, option, value);

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain(message);
    }

    [Fact]
    public async Task Info_OptionRepeatsDevice_IsNoConflict()
    {
        _cli.Plug("stm32f4", "1-1", serial: "AAA1");

        CliRun run = await _cli.RunAsync("info", "--device", "0483:df11,serial=AAA1,path=1-1,alt=1", "--serial", "AAA1", "--path", "1-1", "--alt", "1", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        Device(run).GetProperty("serialNumber").GetString().Should().Be("AAA1");
        run.Json().GetProperty("alternateSetting").GetInt32().Should().Be(1);
    }

    [Theory]
    [InlineData("*:df11", new[] { "1-1", "1-2" })]
    [InlineData("0483:*", new[] { "1-1" })]
    [InlineData("1209:*", new[] { "1-2", "1-3" })]
    [InlineData("*:df10", new[] { "1-3" })]
    [InlineData("*:*", new[] { "1-1", "1-2", "1-3" })]
    [InlineData("1209:df10,1209:df11", new[] { "1-2", "1-3" })]
    public async Task List_DeviceIdsWithWildcardsAndPairs_MatchTheRightBoards(string device, string[] paths)
    {
        _cli.Plug("stm32f4", "1-1");
        _cli.Plug("dfu11", "1-2");
        _cli.Plug("runtime", "1-3");
        _cli.Plug("hid-runtime", "1-4", serial: "HID-1");

        CliRun run = await _cli.RunAsync("list", "--device", device, "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        Paths(run).Should().Equal(paths);
    }

    [Fact]
    public async Task Detach_RunTimeAndDfuModePairs_TheBoardReturnsWithTheDfuModeIds()
    {
        _cli.Plug("runtime", "1-1");
        _cli.Plug("stm32f4", "1-2");

        CliRun run = await _cli.RunAsync("detach", "--device", "1209:df10,1209:df11", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("outcome").GetString().Should().Be("detached");
        Device(run).GetProperty("path").GetString().Should().Be("1-1");
        Device(run).GetProperty("productId").GetInt32().Should().Be(0xDF11);
        Device(run).GetProperty("mode").GetString().Should().Be("dfu");
    }

    [Fact]
    public async Task Detach_BoardReturnsWithOtherIdsThanTheDfuModePair_Exits75()
    {
        _cli.Plug("runtime", "1-1");

        CliRun run = await _cli.RunAsync("detach", "--device", "1209:df10,1209:beef");

        run.ExitCode.Should().Be(75, run.ToString());
    }

    [Fact]
    public async Task Download_WildcardPairMatchesARunTimeBoardAndAnotherInDfuMode_Exits64()
    {
        _cli.Plug("runtime", "1-1");
        _cli.Plug("dfu11", "1-2");

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(100, seed: 32)), "--device", "1209:df10,*:*");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("at 1-1 (Runtime mode)").And.Contain("at 1-2 (Dfu mode)");
    }

    [Fact]
    public async Task Detach_SimulatedHidRuntime_SendsTheReportAndFindsTheBootloader()
    {
        CliRun run = await _cli.RunAsync("detach", "--device", "sim:hid-runtime", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("outcome").GetString().Should().Be("detached");
        Device(run).GetProperty("productId").GetInt32().Should().Be(0xDF11);
        Device(run).GetProperty("path").GetString().Should().Be("sim-1");
        _cli.Device.Profile.Name.Should().Be("stm32f4");
        _cli.Device.Transcript.Render().Should().Contain("HID_SET_REPORT 21 09 0380");
    }

    [Fact]
    public async Task Download_SimulatedHidRuntimeWithBinAndAddress_DetachesWritesAndVerifies()
    {
        byte[] image = SimCli.Random(5000, seed: 33);

        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", image), "--address", "0x08004000", "--device", "sim:hid-runtime", "--verify", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().GetProperty("verified").GetBoolean().Should().BeTrue();
        Device(run).GetProperty("productId").GetInt32().Should().Be(0xDF11);
        _cli.Device.ReadMemory(0x0800_4000, image.Length).Should().Equal(image);
    }

    [Fact]
    public async Task DryRun_SimulatedHidRuntimeWithBinAndAddress_Exits64AskingToDetachFirst()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("fw.bin", SimCli.Random(100, seed: 34)), "--address", "0x08000000", "--device", "sim:hid-runtime", "--dry-run");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("run `dfusharp detach` first");
        _cli.Device.Profile.Name.Should().Be("hid-runtime", "a dry run sends nothing");
    }

    [Fact]
    public async Task Info_SimulatedHidRuntime_DescribesTheDetachReport()
    {
        CliRun text = await _cli.RunAsync("info", "--device", "sim:hid-runtime");
        CliRun json = await _cli.RunAsync("info", "--device", "sim:hid-runtime", "--json");

        text.ExitCode.Should().Be(0, text.ToString());
        text.Stdout.Should().Contain("HID detach:  report 0x80 (feature, 1 byte(s))").And.NotContain("bcdDFUVersion");
        json.ExitCode.Should().Be(0, json.ToString());
        json.Json().GetProperty("descriptor").ValueKind.Should().Be(JsonValueKind.Null);
        json.Json().GetProperty("hidDetach").GetProperty("reportId").GetInt32().Should().Be(0x80);
        Device(json).GetProperty("mode").GetString().Should().Be("runtime");
    }

    [Fact]
    public async Task Detach_HidApplicationNamedByIdsOnTheBus_SwitchesItToDfuMode()
    {
        _cli.Plug("hid-runtime", "1-1");

        CliRun run = await _cli.RunAsync("detach", "--device", "0483:5750", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        Device(run).GetProperty("path").GetString().Should().Be("1-1");
        Device(run).GetProperty("mode").GetString().Should().Be("dfu");
    }

    [Fact]
    public async Task Detach_NoSelectorAndOnlyAHidApplication_Exits69()
    {
        var hid = _cli.Plug("hid-runtime", "1-1");

        CliRun run = await _cli.RunAsync("detach");

        run.ExitCode.Should().Be(69, run.ToString());
        hid.Profile.Name.Should().Be("hid-runtime", "an unnamed HID device is never sent a report");
    }

    [Fact]
    public async Task Detach_HidApplicationBesideABootloaderWithTheSameSerial_SerialIsAmbiguousPathIsNot()
    {
        _cli.Plug("hid-runtime", "1-1");
        _cli.Plug("stm32f4", "1-2");

        CliRun bySerial = await _cli.RunAsync("detach", "--serial", F4Serial);
        CliRun byPath = await _cli.RunAsync("detach", "--path", "1-1", "--json");

        bySerial.ExitCode.Should().Be(64, bySerial.ToString());
        bySerial.Stderr.Should().Contain("at 1-1 (HID application)").And.Contain("at 1-2 (Dfu mode)");
        byPath.ExitCode.Should().Be(0, byPath.ToString());
        byPath.Json().GetProperty("outcome").GetString().Should().Be("detached");
    }

    [Fact]
    public async Task Info_SimulatedProfileOnABusWithOtherBoards_NamesItsOwnBoard()
    {
        _cli.Alongside(bus => bus.Add("dfu11"));

        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        Device(run).GetProperty("productId").GetInt32().Should().Be(0xDF11);
        Device(run).GetProperty("vendorId").GetInt32().Should().Be(0x0483);
    }

    [Fact]
    public async Task Info_SimulatedProfileWithPathOption_SelectsThatBoard()
    {
        _cli.Alongside(bus => bus.Add("stm32f4"));

        CliRun ambiguous = await _cli.RunAsync("info", "--device", "sim:stm32f4");
        CliRun second = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--path", "sim-2", "--json");

        ambiguous.ExitCode.Should().Be(64, ambiguous.ToString());
        ambiguous.Stderr.Should().Contain("at sim-1").And.Contain("at sim-2");
        second.ExitCode.Should().Be(0, second.ToString());
        Device(second).GetProperty("path").GetString().Should().Be("sim-2");
    }
}
