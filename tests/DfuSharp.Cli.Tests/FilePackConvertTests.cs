using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Tests;

/// <summary><c>file pack</c> and <c>file convert</c>.</summary>
public sealed class FilePackConvertTests
{
    [VectorsFact]
    public async Task Pack_AltGroups_BecomeTargetsInCommandLineOrder()
    {
        using var dir = new TempDir();
        string output = dir.File("out.dfu");

        var run = await CliRunner.RunAsync("file", "pack", output,
            "--bin", "0x08000000:" + TestPaths.Vector("gen/bin/app_4k.bin"),
            "--bin", "0x08002000:" + TestPaths.Vector("gen/bin/small.bin"),
            "--alt", "1", "--name", "Option Bytes", "--bin", "0x1FFFC000:" + TestPaths.Vector("gen/bin/opt16.bin"),
            "--alt", "0", "--hex", TestPaths.Vector("gen/hex/gaps_linear.hex"),
            "--vid", "0x1209", "--pid", "0x0001", "--did", "0x0100");

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        var info = (await CliRunner.RunAsync("file", "info", output, "--json")).Json();
        info.GetProperty("kind").GetString().Should().Be("dfuse");
        var suffix = info.GetProperty("suffix");
        suffix.GetProperty("vendorId").GetInt32().Should().Be(0x1209);
        suffix.GetProperty("productId").GetInt32().Should().Be(0x0001);
        suffix.GetProperty("deviceVersion").GetInt32().Should().Be(0x0100);
        suffix.GetProperty("dfuVersion").GetInt32().Should().Be(0x011A);
        var targets = info.GetProperty("targets").EnumerateArray().ToArray();
        targets.Select(t => t.GetProperty("alternateSetting").GetInt32()).Should().Equal(0, 1, 0);
        targets.Select(t => t.GetProperty("name").GetString()).Should().Equal(null, "Option Bytes", null);
        targets.Select(t => t.GetProperty("elements").GetArrayLength()).Should().Equal(2, 1, 3);
        targets[0].GetProperty("elements")[1].GetProperty("address").GetUInt32().Should().Be(0x0800_2000u);
        targets[2].GetProperty("elements")[2].GetProperty("address").GetUInt32().Should().Be(0x0801_FFFFu);
    }

    [VectorsFact]
    public async Task Pack_Srec_DefaultsToDfusePackIdentity()
    {
        using var dir = new TempDir();
        string output = dir.File("out.dfu");

        var run = await CliRunner.RunAsync("file", "pack", output, "--srec", TestPaths.Vector("gen/srec/s3_s7_gaps.srec"));

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        var info = (await CliRunner.RunAsync("file", "info", output, "--json")).Json();
        info.GetProperty("suffix").GetProperty("vendorId").GetInt32().Should().Be(0x0483);
        info.GetProperty("suffix").GetProperty("productId").GetInt32().Should().Be(0xDF11);
        var expected = VectorManifest.Get("gen/srec/s3_s7_gaps.srec").Expected.GetProperty("segments");
        info.GetProperty("targets")[0].GetProperty("elements").GetArrayLength().Should().Be(expected.GetArrayLength());
    }

    [Theory]
    [InlineData("--bin", "app.bin")]
    [InlineData("--bin", "0x0800:")]
    [InlineData("--bin", "zz:app.bin")]
    [InlineData("--alt", "256")]
    public async Task Pack_BadInput_Exits64(string option, string value)
    {
        using var dir = new TempDir();

        var run = await CliRunner.RunAsync("file", "pack", dir.File("o.dfu"), option, value);

        run.ExitCode.Should().Be(ExitCodes.Usage, run.ToString());
        dir.Entries().Should().BeEmpty();
    }

    [VectorsFact]
    public async Task Pack_NameTooLong_Exits64()
    {
        using var dir = new TempDir();

        var run = await CliRunner.RunAsync("file", "pack", dir.File("o.dfu"), "--name", new string('n', 255), "--bin", "0:" + TestPaths.Vector("gen/bin/one.bin"));

        run.ExitCode.Should().Be(ExitCodes.Usage, run.ToString());
        run.Stderr.Should().Contain("254");
        dir.Entries().Should().BeEmpty();
    }

    [VectorsFact]
    public async Task Pack_TwoFilesAfterOneOption_Exits64NamingTheSecond()
    {
        using var dir = new TempDir();
        string second = TestPaths.Vector("gen/hex/cross64k.hex");

        var run = await CliRunner.RunAsync("file", "pack", dir.File("o.dfu"), "--hex", TestPaths.Vector("gen/hex/small_16bit.hex"), second);

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Stderr.Should().Contain(second);
        dir.Entries().Should().BeEmpty();
    }

    [VectorsFact]
    public async Task Pack_OutputAfterOptions_IsTheOutput()
    {
        using var dir = new TempDir();

        var run = await CliRunner.RunAsync("file", "pack", "--hex", TestPaths.Vector("gen/hex/small_16bit.hex"), dir.File("o.dfu"));

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        dir.Entries().Should().Equal("o.dfu");
    }

    [Fact]
    public async Task Pack_NoInputs_Exits64()
    {
        using var dir = new TempDir();

        var run = await CliRunner.RunAsync("file", "pack", dir.File("o.dfu"), "--alt", "1");

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Stderr.Should().Contain("at least one input");
    }

    [VectorsFact]
    public async Task Pack_BinWithSuffix_Exits65()
    {
        using var dir = new TempDir();
        string input = TestPaths.Vector("gen/dfu/default.dfu");

        var run = await CliRunner.RunAsync("file", "pack", dir.File("o.dfu"), "--bin", "0x08000000:" + input);

        run.ExitCode.Should().Be(ExitCodes.DataError);
        run.Stderr.Should().StartWith($"dfusharp: {input}: ");
        dir.Entries().Should().BeEmpty();
    }

    [VectorsFact]
    public async Task Pack_MissingInput_Exits66AndWritesNothing()
    {
        using var dir = new TempDir();

        var run = await CliRunner.RunAsync("file", "pack", dir.File("o.dfu"), "--hex", dir.File("missing.hex"));

        run.ExitCode.Should().Be(ExitCodes.NoInput);
        dir.Entries().Should().BeEmpty();
    }

    [VectorsFact]
    public async Task Pack_OutputFolderMissing_Exits73()
    {
        using var dir = new TempDir();
        string output = Path.Combine(dir.Path, "no", "such", "o.dfu");

        var run = await CliRunner.RunAsync("file", "pack", output, "--bin", "0:" + TestPaths.Vector("gen/bin/small.bin"));

        run.ExitCode.Should().Be(ExitCodes.CannotCreate);
        run.Stderr.Should().StartWith($"dfusharp: {output}: cannot create");
    }

    [VectorsFact]
    public async Task Convert_OutputUnderAFile_Exits73()
    {
        using var dir = new TempDir();
        string blocker = dir.Write("file", [1]);

        var run = await CliRunner.RunAsync("file", "convert", TestPaths.Vector("gen/hex/small_16bit.hex"), Path.Combine(blocker, "o.bin"));

        run.ExitCode.Should().Be(ExitCodes.CannotCreate, run.ToString());
    }

    public static TheoryData<string, string> RoundTrips() => new()
    {
        { "gen/hex/gaps_linear.hex", ".srec" },
        { "gen/hex/cross64k.hex", ".srec" },
        { "gen/srec/s3_s7_gaps.srec", ".hex" },
        { "gen/srec/s1_s9.srec", ".dfu" },
        { "gen/hex/segment_02.hex", ".dfu" },
        { "real/fwupd/firmware.hex", ".dfu" },
    };

    [VectorsTheory]
    [MemberData(nameof(RoundTrips))]
    public async Task Convert_TextToOtherFormat_KeepsSegments(string name, string extension)
    {
        using var dir = new TempDir();
        string output = dir.File("out" + extension);
        var expected = VectorManifest.Get(name).Expected.GetProperty("segments").EnumerateArray().ToArray();

        var run = await CliRunner.RunAsync("file", "convert", TestPaths.Vector(name), output);

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        var info = (await CliRunner.RunAsync("file", "info", output, "--json")).Json();
        var runs = extension == ".dfu"
            ? info.GetProperty("targets")[0].GetProperty("elements").EnumerateArray().ToArray()
            : info.GetProperty("segments").EnumerateArray().ToArray();
        runs.Select(r => (r.GetProperty("address").GetUInt32(), r.GetProperty("sha256").GetString()))
            .Should().Equal(expected.Select(e => (e.GetProperty("address").GetUInt32(), e.GetProperty("sha256").GetString())));
    }

    [VectorsFact]
    public async Task Convert_DfuSeTargetToBin_WritesThatTarget()
    {
        using var dir = new TempDir();
        string output = dir.File("opt.bin");

        var run = await CliRunner.RunAsync("file", "convert", TestPaths.Vector("gen/dfuse/two_targets_optbytes.dfu"), output, "--target", "1");

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        File.ReadAllBytes(output).Should().Equal(File.ReadAllBytes(TestPaths.Vector("gen/bin/opt16.bin")));
    }

    [VectorsFact]
    public async Task Convert_DfuSeSeveralAltsWithoutTarget_Exits64()
    {
        using var dir = new TempDir();

        var run = await CliRunner.RunAsync("file", "convert", TestPaths.Vector("gen/dfuse/two_targets_optbytes.dfu"), dir.File("o.hex"));

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Stderr.Should().Contain("--target");
        dir.Entries().Should().BeEmpty();
    }

    [VectorsFact]
    public async Task Convert_DfuSeMissingTarget_Exits65()
    {
        using var dir = new TempDir();

        var run = await CliRunner.RunAsync("file", "convert", TestPaths.Vector("gen/dfuse/single.dfu"), dir.File("o.hex"), "--target", "5");

        run.ExitCode.Should().Be(ExitCodes.DataError);
        run.Stderr.Should().Contain("alternate setting 5");
    }

    [VectorsFact]
    public async Task Convert_BinAtAddressToDfu_PlacesElement()
    {
        using var dir = new TempDir();
        string output = dir.File("app.dfu");

        var run = await CliRunner.RunAsync("file", "convert", TestPaths.Vector("gen/bin/app_4k.bin"), output, "--address", "0x08000000", "--target", "2");

        run.ExitCode.Should().Be(ExitCodes.Ok);
        var target = (await CliRunner.RunAsync("file", "info", output, "--json")).Json().GetProperty("targets")[0];
        target.GetProperty("alternateSetting").GetInt32().Should().Be(2);
        target.GetProperty("elements")[0].GetProperty("address").GetUInt32().Should().Be(0x0800_0000u);
    }

    [VectorsFact]
    public async Task Convert_DfuSeToDfuSe_KeepsSuffixUnlessOverridden()
    {
        using var dir = new TempDir();
        string input = TestPaths.Vector("real/st-hex2dfu/test.dfu");
        var original = (await CliRunner.RunAsync("file", "info", input, "--json")).Json().GetProperty("suffix");

        (await CliRunner.RunAsync("file", "convert", input, dir.File("same.dfu"))).ExitCode.Should().Be(ExitCodes.Ok);
        (await CliRunner.RunAsync("file", "convert", input, dir.File("other.dfu"), "--pid", "0x0001")).ExitCode.Should().Be(ExitCodes.Ok);

        var same = (await CliRunner.RunAsync("file", "info", dir.File("same.dfu"), "--json")).Json().GetProperty("suffix");
        var other = (await CliRunner.RunAsync("file", "info", dir.File("other.dfu"), "--json")).Json().GetProperty("suffix");
        same.GetProperty("vendorId").GetInt32().Should().Be(original.GetProperty("vendorId").GetInt32());
        same.GetProperty("productId").GetInt32().Should().Be(original.GetProperty("productId").GetInt32());
        same.GetProperty("deviceVersion").GetInt32().Should().Be(original.GetProperty("deviceVersion").GetInt32());
        other.GetProperty("productId").GetInt32().Should().Be(1);
        other.GetProperty("vendorId").GetInt32().Should().Be(original.GetProperty("vendorId").GetInt32());
    }

    [VectorsFact]
    public async Task Convert_UnknownOutputExtension_Exits64()
    {
        using var dir = new TempDir();

        var run = await CliRunner.RunAsync("file", "convert", TestPaths.Vector("gen/bin/small.bin"), dir.File("out.elf"));

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Stderr.Should().Contain("out.elf");
    }

    [VectorsFact]
    public async Task Convert_CorruptInput_Exits65AndKeepsExistingOutput()
    {
        using var dir = new TempDir();
        string output = dir.Write("out.bin", [9, 9, 9]);
        string input = TestPaths.Vector("corrupt/hex_bad_checksum.hex");

        var run = await CliRunner.RunAsync("file", "convert", input, output);

        run.ExitCode.Should().Be(ExitCodes.DataError);
        run.Stderr.Should().StartWith($"dfusharp: {input}: ").And.Contain(" at line ");
        File.ReadAllBytes(output).Should().Equal(9, 9, 9);
        dir.Entries().Should().Equal("out.bin");
    }

    [VectorsFact]
    public async Task Convert_CancelledBeforeWrite_Exits130AndWritesNothing()
    {
        using var dir = new TempDir();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var run = await CliRunner.RunAsync(cancellation.Token, "file", "convert", TestPaths.Vector("gen/hex/big_1m.hex"), dir.File("o.dfu"));

        run.ExitCode.Should().Be(ExitCodes.Cancelled);
        dir.Entries().Should().BeEmpty();
    }
}
