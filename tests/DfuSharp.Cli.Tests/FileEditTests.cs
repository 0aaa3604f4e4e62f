using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Tests;

/// <summary><c>file suffix</c> and <c>file prefix</c>: in-place edits.</summary>
public sealed class FileEditTests
{
    private static readonly byte[] s_firmware = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public async Task SuffixAdd_Defaults_WritesDfuSuffixDefaults()
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.bin", s_firmware);

        var run = await CliRunner.RunAsync("file", "suffix", "add", file);

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        byte[] written = File.ReadAllBytes(file);
        written.Should().HaveCount(s_firmware.Length + 16);
        written.AsSpan(0, s_firmware.Length).ToArray().Should().Equal(s_firmware);
        written.AsSpan(s_firmware.Length, 11).ToArray().Should().Equal(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, (byte)'U', (byte)'F', (byte)'D');
        written[^5].Should().Be(16);
    }

    [Fact]
    public async Task SuffixAdd_Options_AreStoredAndShownByInfo()
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.bin", s_firmware);

        (await CliRunner.RunAsync("file", "suffix", "add", file, "--vid", "0x0483", "--pid", "57105", "--did", "0x2200", "--spec", "0x011a"))
            .ExitCode.Should().Be(ExitCodes.Ok);
        var suffix = (await CliRunner.RunAsync("file", "info", file, "--json")).Json().GetProperty("suffix");

        suffix.GetProperty("vendorId").GetInt32().Should().Be(0x0483);
        suffix.GetProperty("productId").GetInt32().Should().Be(0xDF11);
        suffix.GetProperty("deviceVersion").GetInt32().Should().Be(0x2200);
        suffix.GetProperty("dfuVersion").GetInt32().Should().Be(0x011A);
        suffix.GetProperty("crcValid").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task SuffixAdd_FileWithSuffix_Exits65AndLeavesFile()
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.bin", s_firmware);
        await CliRunner.RunAsync("file", "suffix", "add", file);
        byte[] before = File.ReadAllBytes(file);

        var run = await CliRunner.RunAsync("file", "suffix", "add", file, "--vid", "1");

        run.ExitCode.Should().Be(ExitCodes.DataError);
        run.Stderr.Should().Be($"dfusharp: {file}: the file already has a DFU suffix; remove it first (dfusharp file suffix remove){Environment.NewLine}");
        File.ReadAllBytes(file).Should().Equal(before);
        dir.Entries().Should().Equal("fw.bin");
    }

    [Fact]
    public async Task SuffixAdd_ThroughSymbolicLink_EditsTargetAndKeepsLink()
    {
        using var dir = new TempDir();
        string target = dir.Write("fw.bin", s_firmware);
        string link = dir.File("link.bin");
        File.CreateSymbolicLink(link, target);

        var run = await CliRunner.RunAsync("file", "suffix", "add", link);

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        new FileInfo(link).LinkTarget.Should().Be(target);
        File.ReadAllBytes(target).Should().HaveCount(s_firmware.Length + 16);
    }

    [Fact]
    public async Task SuffixCheck_ValidSuffix_PrintsFields()
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.bin", s_firmware);
        await CliRunner.RunAsync("file", "suffix", "add", file, "--vid", "0x1209");

        var run = await CliRunner.RunAsync("file", "suffix", "check", file);

        run.ExitCode.Should().Be(ExitCodes.Ok);
        run.Stdout.Should().Contain("valid DFU suffix").And.Contain("vendor ID       0x1209").And.Contain("length          16");
    }

    [VectorsTheory]
    [InlineData("corrupt/bad_crc_payload.dfu")]
    [InlineData("corrupt/bad_signature.dfu")]
    [InlineData("corrupt/blength_15.dfu")]
    [InlineData("corrupt/too_short.dfu")]
    public async Task SuffixCheck_BadSuffix_Exits65WithOffset(string name)
    {
        string file = TestPaths.Vector(name);

        var run = await CliRunner.RunAsync("file", "suffix", "check", file);

        run.ExitCode.Should().Be(ExitCodes.DataError);
        run.Stderr.Should().StartWith($"dfusharp: {file}: ").And.Contain("offset");
    }

    [Fact]
    public async Task SuffixRemove_AfterAdd_RestoresOriginal()
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.bin", s_firmware);
        await CliRunner.RunAsync("file", "suffix", "add", file);

        var run = await CliRunner.RunAsync("file", "suffix", "remove", file);

        run.ExitCode.Should().Be(ExitCodes.Ok);
        File.ReadAllBytes(file).Should().Equal(s_firmware);
        dir.Entries().Should().Equal("fw.bin");
    }

    [Fact]
    public async Task SuffixRemove_NoSuffix_Exits65AndLeavesFile()
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.bin", s_firmware);

        var run = await CliRunner.RunAsync("file", "suffix", "remove", file);

        run.ExitCode.Should().Be(ExitCodes.DataError);
        run.Stderr.Should().StartWith($"dfusharp: {file}: ");
        File.ReadAllBytes(file).Should().Equal(s_firmware);
    }

    [VectorsFact]
    public async Task SuffixRemove_WrongCrc_RemovesAndWarns()
    {
        using var dir = new TempDir();
        string file = dir.Copy(TestPaths.Vector("corrupt/bad_crc_field.dfu"));
        int length = (int)new FileInfo(file).Length;

        var run = await CliRunner.RunAsync("file", "suffix", "remove", file);

        run.ExitCode.Should().Be(ExitCodes.Ok);
        run.Stderr.Should().Contain("warning").And.Contain("wrong CRC");
        new FileInfo(file).Length.Should().Be(length - 16);
    }

    [Theory]
    [InlineData("lpc", new string[0], 16)]
    [InlineData("stellaris", new[] { "--address", "0x2000" }, 8)]
    public async Task PrefixAdd_FileWithSuffix_KeepsSuffixWithNewCrc(string type, string[] extra, int prefixLength)
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.dfu", s_firmware);
        await CliRunner.RunAsync("file", "suffix", "add", file, "--vid", "0x1fc9");

        var run = await CliRunner.RunAsync(["file", "prefix", "add", file, "--type", type, .. extra]);

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        var info = (await CliRunner.RunAsync("file", "info", file, "--json")).Json();
        info.GetProperty("prefix").GetProperty("type").GetString().Should().Be(type);
        info.GetProperty("prefix").GetProperty("length").GetInt32().Should().Be(prefixLength);
        info.GetProperty("suffix").GetProperty("vendorId").GetInt32().Should().Be(0x1FC9);
        info.GetProperty("suffix").GetProperty("crcValid").GetBoolean().Should().BeTrue();
        info.GetProperty("segments")[0].GetProperty("size").GetInt32().Should().Be(s_firmware.Length);
    }

    [Fact]
    public async Task PrefixRemove_AfterAdd_RestoresFile()
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.dfu", s_firmware);
        await CliRunner.RunAsync("file", "suffix", "add", file);
        byte[] withSuffix = File.ReadAllBytes(file);
        await CliRunner.RunAsync("file", "prefix", "add", file, "--type", "lpc");

        var run = await CliRunner.RunAsync("file", "prefix", "remove", file, "--type", "lpc");

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        File.ReadAllBytes(file).Should().Equal(withSuffix);
    }

    [Fact]
    public async Task PrefixRemove_WrongType_Exits65()
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.bin", s_firmware);
        await CliRunner.RunAsync("file", "prefix", "add", file, "--type", "stellaris", "--address", "0x4000");

        var run = await CliRunner.RunAsync("file", "prefix", "remove", file, "--type", "lpc");

        run.ExitCode.Should().Be(ExitCodes.DataError);
        run.Stderr.Should().Contain("TI Stellaris prefix, not NXP LPC");
    }

    [Fact]
    public async Task PrefixAdd_Twice_Exits65()
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.bin", s_firmware);
        await CliRunner.RunAsync("file", "prefix", "add", file, "--type", "lpc");

        var run = await CliRunner.RunAsync("file", "prefix", "add", file, "--type", "lpc");

        run.ExitCode.Should().Be(ExitCodes.DataError);
        run.Stderr.Should().Contain("already has a NXP LPC prefix");
    }

    [VectorsFact]
    public async Task PrefixAdd_DfuSeFile_Exits65()
    {
        using var dir = new TempDir();
        string file = dir.Copy(TestPaths.Vector("gen/dfuse/single.dfu"));
        byte[] before = File.ReadAllBytes(file);

        var run = await CliRunner.RunAsync("file", "prefix", "add", file, "--type", "lpc");

        run.ExitCode.Should().Be(ExitCodes.DataError);
        run.Stderr.Should().Contain("DfuSe");
        File.ReadAllBytes(file).Should().Equal(before);
    }

    [Theory]
    [InlineData("stellaris")]
    [InlineData("lpc", "--address", "0x4000")]
    [InlineData("stellaris", "--address", "0x4001")]
    [InlineData("arm")]
    public async Task PrefixAdd_BadOptions_Exits64(string type, params string[] extra)
    {
        using var dir = new TempDir();
        string file = dir.Write("fw.bin", s_firmware);

        var run = await CliRunner.RunAsync(["file", "prefix", "add", file, "--type", type, .. extra]);

        run.ExitCode.Should().Be(ExitCodes.Usage, run.ToString());
        File.ReadAllBytes(file).Should().Equal(s_firmware);
    }

    [Fact]
    public async Task PrefixAdd_MissingType_Exits64()
    {
        var run = await CliRunner.RunAsync("file", "prefix", "add", "fw.bin");

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Stderr.Should().Contain("--type");
    }
}
