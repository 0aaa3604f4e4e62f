using System.Text.Json;

using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Tests;

public sealed class FileInfoTests
{
    public static TheoryData<string> ValidVectors() => VectorManifest.Names(e => e.Kind != "corrupt");

    public static TheoryData<string> ParseErrorVectors()
        => VectorManifest.Names(e => e.Kind == "corrupt" && !e.RequiredErrorCodes.Contains("crc_mismatch"));

    public static TheoryData<string> CrcErrorVectors()
        => VectorManifest.Names(e => e.Kind == "corrupt" && e.RequiredErrorCodes.Contains("crc_mismatch"));

    [VectorsTheory]
    [MemberData(nameof(ValidVectors))]
    public async Task Info_Json_MatchesManifestFacts(string name)
    {
        var entry = VectorManifest.Get(name);
        var expected = entry.Expected;

        var run = await CliRunner.RunAsync("file", "info", entry.FullPath, "--json");

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        var json = run.Json();
        json.EnumerateObject().Select(p => p.Name).Should().Equal("kind", "suffix", "prefix", "targets", "segments");
        string format = entry.Format!;
        json.GetProperty("kind").GetString().Should().Be(format == "ihex" ? "hex" : format);

        if (format is "dfu" or "dfuse")
        {
            CheckSuffix(json.GetProperty("suffix"), expected.GetProperty("suffix"));
            CheckPrefix(json.GetProperty("prefix"), expected.GetProperty("prefix"));
        }
        else
        {
            json.GetProperty("suffix").ValueKind.Should().Be(JsonValueKind.Null);
            json.GetProperty("prefix").ValueKind.Should().Be(JsonValueKind.Null);
        }

        var targets = json.GetProperty("targets").EnumerateArray().ToArray();
        if (format == "dfuse")
        {
            var expectedTargets = expected.GetProperty("dfuse").GetProperty("targets").EnumerateArray().ToArray();
            targets.Should().HaveCount(expectedTargets.Length);
            for (int t = 0; t < targets.Length; t++)
            {
                targets[t].GetProperty("alternateSetting").GetInt32().Should().Be(expectedTargets[t].GetProperty("alt").GetInt32());
                targets[t].GetProperty("name").GetString().Should().Be(expectedTargets[t].GetProperty("name").GetString());
                CheckRuns(targets[t].GetProperty("elements"), expectedTargets[t].GetProperty("elements"));
            }

            json.GetProperty("segments").GetArrayLength().Should().Be(0);
        }
        else
        {
            targets.Should().BeEmpty();
        }

        if (format == "dfu")
        {
            // The firmware of a plain .dfu: what lies between any prefix and the suffix, at address 0.
            bool prefixed = expected.GetProperty("prefix").ValueKind != JsonValueKind.Null;
            long size = expected.GetProperty(prefixed ? "firmware_length" : "payload_length").GetInt64();
            var segments = json.GetProperty("segments").EnumerateArray().ToArray();
            if (size == 0)
            {
                segments.Should().BeEmpty();
            }
            else
            {
                segments.Should().ContainSingle();
                segments[0].GetProperty("address").GetUInt32().Should().Be(0);
                segments[0].GetProperty("size").GetInt64().Should().Be(size);
                segments[0].GetProperty("sha256").GetString().Should().Be(expected.GetProperty(prefixed ? "firmware_sha256" : "payload_sha256").GetString());
            }
        }
        else if (format != "dfuse")
        {
            CheckRuns(json.GetProperty("segments"), expected.GetProperty("segments"));
        }
    }

    [VectorsTheory]
    [MemberData(nameof(ParseErrorVectors))]
    public async Task Info_CorruptFile_Exits65NamingFileAndPlace(string name)
    {
        var entry = VectorManifest.Get(name);

        var run = await CliRunner.RunAsync("file", "info", entry.FullPath);

        run.ExitCode.Should().Be(ExitCodes.DataError, run.ToString());
        run.Stdout.Should().BeEmpty();
        run.Stderr.Should().StartWith($"dfusharp: {entry.FullPath}: ");
        string place = entry.Format is "ihex" or "srec" ? " at line " : " at byte offset ";
        run.Stderr.Should().Contain(place);
    }

    [VectorsTheory]
    [MemberData(nameof(ParseErrorVectors))]
    public async Task Info_CorruptFileWithJson_PrintsErrorObject(string name)
    {
        var entry = VectorManifest.Get(name);

        var run = await CliRunner.RunAsync("file", "info", entry.FullPath, "--json");

        run.ExitCode.Should().Be(ExitCodes.DataError);
        var json = run.Json();
        json.EnumerateObject().Select(p => p.Name).Should().Equal("error");
        json.GetProperty("error").GetString().Should().StartWith(entry.FullPath + ": ");
    }

    [VectorsTheory]
    [MemberData(nameof(CrcErrorVectors))]
    public async Task Info_WrongCrc_ReportsCrcInvalidAndWarns(string name)
    {
        var entry = VectorManifest.Get(name);

        var run = await CliRunner.RunAsync("file", "info", entry.FullPath, "--json");

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        var suffix = run.Json().GetProperty("suffix");
        suffix.GetProperty("crcValid").GetBoolean().Should().BeFalse();
        suffix.GetProperty("crc").GetUInt32().Should().Be(entry.Expected.GetProperty("suffix").GetProperty("dwCRC").GetUInt32());
        run.Stderr.Should().Contain(entry.FullPath).And.Contain("CRC is wrong");
    }

    [VectorsFact]
    public async Task Info_BinWithAddress_PlacesSegmentThere()
    {
        var run = await CliRunner.RunAsync("file", "info", TestPaths.Vector("gen/bin/small.bin"), "--json", "--address", "0x08000000");

        var segment = run.Json().GetProperty("segments")[0];
        segment.GetProperty("address").GetUInt32().Should().Be(0x0800_0000u);
        segment.GetProperty("size").GetInt32().Should().Be(100);
    }

    [VectorsFact]
    public async Task Info_HexContentWithBinExtension_IsDetectedAsHex()
    {
        using var dir = new TempDir();
        string file = dir.Copy(TestPaths.Vector("gen/hex/gaps_linear.hex"), "firmware.bin");

        var run = await CliRunner.RunAsync("file", "info", file, "--json");

        run.Json().GetProperty("kind").GetString().Should().Be("hex");
    }

    [VectorsFact]
    public async Task Info_DfuSe_PrintsTargetsAsText()
    {
        string file = TestPaths.Vector("gen/dfuse/two_targets_optbytes.dfu");

        var run = await CliRunner.RunAsync("file", "info", file);

        run.ExitCode.Should().Be(ExitCodes.Ok);
        run.Stdout.Should().Contain("DfuSe file, 4703 bytes")
            .And.Contain("VID 0x0483  PID 0xDF11")
            .And.Contain("CRC        0x94E54662 (valid)")
            .And.Contain("target     alt 1, \"ST...\", 1 element(s)")
            .And.Contain("0x1FFFC000..0x1FFFC00F");
    }

    [Fact]
    public async Task Info_MissingFile_Exits66()
    {
        var run = await CliRunner.RunAsync("file", "info", "/nonexistent/dfusharp/firmware.dfu");

        run.ExitCode.Should().Be(ExitCodes.NoInput);
        run.Stderr.Should().Be("dfusharp: /nonexistent/dfusharp/firmware.dfu: no such file or folder" + Environment.NewLine);
    }

    [Fact]
    public async Task Info_Directory_Exits66()
    {
        using var dir = new TempDir();

        var run = await CliRunner.RunAsync("file", "info", dir.Path);

        run.ExitCode.Should().Be(ExitCodes.NoInput, run.ToString());
        run.Stderr.Should().StartWith($"dfusharp: {dir.Path}: ");
    }

    [LinuxFact]
    public async Task Info_ReadFails_Exits74WithJsonError()
    {
        // Reading /proc/self/mem from offset 0 fails with EIO: an input that exists but cannot be read.
        var run = await CliRunner.RunAsync("file", "info", "/proc/self/mem", "--json");

        run.ExitCode.Should().Be(ExitCodes.IOError, run.ToString());
        run.Json().GetProperty("error").GetString().Should().StartWith("/proc/self/mem: read failed: ");
        run.Stderr.Should().StartWith("dfusharp: /proc/self/mem: read failed: ");
    }

    [VectorsFact]
    public async Task Info_Json_WritesNamesUnescaped()
    {
        using var dir = new TempDir();
        string output = dir.File("named.dfu");
        await CliRunner.RunAsync("file", "pack", output, "--name", "Flash 'main' <1>", "--bin", "0:" + TestPaths.Vector("gen/bin/one.bin"));

        var run = await CliRunner.RunAsync("file", "info", output, "--json");

        run.Stdout.Should().Contain("\"name\": \"Flash 'main' <1>\"");
        run.Json().GetProperty("targets")[0].GetProperty("name").GetString().Should().Be("Flash 'main' <1>");
    }

    private static void CheckSuffix(JsonElement actual, JsonElement expected)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            actual.ValueKind.Should().Be(JsonValueKind.Null);
            return;
        }

        actual.EnumerateObject().Select(p => p.Name).Should().Equal("vendorId", "productId", "deviceVersion", "dfuVersion", "length", "crc", "crcValid");
        actual.GetProperty("vendorId").GetInt32().Should().Be(expected.GetProperty("idVendor").GetInt32());
        actual.GetProperty("productId").GetInt32().Should().Be(expected.GetProperty("idProduct").GetInt32());
        actual.GetProperty("deviceVersion").GetInt32().Should().Be(expected.GetProperty("bcdDevice").GetInt32());
        actual.GetProperty("dfuVersion").GetInt32().Should().Be(expected.GetProperty("bcdDFU").GetInt32());
        actual.GetProperty("length").GetInt32().Should().Be(expected.GetProperty("bLength").GetInt32());
        actual.GetProperty("crc").GetUInt32().Should().Be(expected.GetProperty("dwCRC").GetUInt32());
        actual.GetProperty("crcValid").GetBoolean().Should().Be(expected.GetProperty("crc_valid").GetBoolean());
    }

    private static void CheckPrefix(JsonElement actual, JsonElement expected)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            actual.ValueKind.Should().Be(JsonValueKind.Null);
            return;
        }

        actual.EnumerateObject().Select(p => p.Name).Should().Equal("type", "length");
        actual.GetProperty("type").GetString().Should().Be(expected.GetProperty("type").GetString());
        actual.GetProperty("length").GetInt32().Should().Be(expected.GetProperty("length").GetInt32());
    }

    private static void CheckRuns(JsonElement actual, JsonElement expected)
    {
        var a = actual.EnumerateArray().ToArray();
        var e = expected.EnumerateArray().ToArray();
        a.Should().HaveCount(e.Length);
        for (int i = 0; i < a.Length; i++)
        {
            a[i].EnumerateObject().Select(p => p.Name).Should().Equal("address", "size", "sha256");
            a[i].GetProperty("address").GetUInt32().Should().Be(e[i].GetProperty("address").GetUInt32());
            a[i].GetProperty("size").GetInt64().Should().Be(e[i].GetProperty("size").GetInt64());
            a[i].GetProperty("sha256").GetString().Should().Be(e[i].GetProperty("sha256").GetString());
        }
    }
}
