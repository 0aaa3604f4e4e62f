using System.Text.Json;

namespace DfuSharp.Tests.LibUsb;

/// <summary>
/// <c>dfusharp</c> on many boards at once over libusb, against two emulated boards at ports 1-1 and 1-2 whose serial
/// numbers are the same (as ST ROMs' are): <c>--all</c> flashes both, <c>upload --all</c> reads each into its own
/// file, and <c>--json-lines</c> streams their results.
/// </summary>
[Collection(UsbEmulatorCollection.Name)]
[Trait("Category", "Emulator")]
public sealed class CliManyBoardsEmulatorTests() : EmulatorTestBase("dfusharp-cli-many-")
{
    [EmulatorFact]
    public void DownloadAllThenUploadAll_TwoStm32f4_FlashesAndReadsBackBoth()
    {
        byte[] image = WriteImage("fw.bin", 40_000, seed: 91);

        EmulatorResult result = UsbEmulator.RunMany(
            ["stm32f4", "stm32f4"],
            "$DFUSHARP download fw.bin --address 0x08000000 --all --verify --json > download.json && "
            + "$DFUSHARP upload out.bin --address 0x08000000 --length 40000 --all --json-lines > upload.jsonl",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        JsonElement download = Json("download.json");
        download.GetProperty("succeeded").GetInt32().Should().Be(2);
        JsonElement[] boards = [.. download.GetProperty("boards").EnumerateArray()];
        boards.Select(b => b.GetProperty("path").GetString()).Should().Equal("1-1", "1-2");
        boards.Select(b => b.GetProperty("serialNumber").GetString()).Distinct().Should().ContainSingle("the ROM serials collide");
        boards.Should().AllSatisfy(b => b.GetProperty("verified").GetBoolean().Should().BeTrue());
        Read("out-1-1.bin").Should().Equal(image);
        Read("out-1-2.bin").Should().Equal(image);
        string[] lines = File.ReadAllLines(Path.Combine(Dir, "upload.jsonl"));
        lines[^1].Should().Contain("\"event\":\"summary\"").And.Contain("\"succeeded\":2");
    }

    [EmulatorFact]
    public void DownloadWithDeviceTwice_TwoBoards_FlashesOnlyTheNamedOne()
    {
        WriteImage("fw.bin", 4096, seed: 92);

        EmulatorResult result = UsbEmulator.RunMany(
            ["stm32f4", "dfu11"],
            "$DFUSHARP download fw.bin --device path=1-2 --device path=1-2 --json > download.json",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Json("download.json").GetProperty("boards").EnumerateArray().Select(b => b.GetProperty("path").GetString()).Should().Equal("1-2");
    }

    [EmulatorFact]
    public void DownloadSkipUnchanged_TwiceOverLibusb_TheSecondRunKeepsEverySectorAndVerifies()
    {
        byte[] image = WriteImage("fw.bin", 40_000, seed: 93);

        EmulatorResult result = UsbEmulator.RunMany(
            ["stm32f4"],
            "$DFUSHARP download fw.bin --address 0x08000000 --skip-unchanged --verify --json > first.json && "
            + "$DFUSHARP download fw.bin --address 0x08000000 --skip-unchanged --verify --json > second.json && "
            + "$DFUSHARP upload back.bin --address 0x08000000 --length 40000",
            Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Json("first.json").GetProperty("erasedSectors").GetInt32().Should().Be(3);
        JsonElement second = Json("second.json");
        second.GetProperty("erasedSectors").GetInt32().Should().Be(0);
        second.GetProperty("keptSectors").GetInt32().Should().Be(3);
        second.GetProperty("verified").GetBoolean().Should().BeTrue();
        Read("back.bin").Should().Equal(image);
    }
}
