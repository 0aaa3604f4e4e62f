using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Tests;

/// <summary>What dfusharp writes, the reference tools accept, and the other way round.</summary>
public sealed class PeerTests
{
    [PeerFact("dfu-suffix")]
    public async Task SuffixAdd_Output_IsAcceptedByDfuSuffixAndIdentical()
    {
        using var dir = new TempDir();
        byte[] firmware = Enumerable.Range(0, 777).Select(i => (byte)(i ^ 0x5A)).ToArray();
        string ours = dir.Write("ours.bin", firmware);
        string theirs = dir.Write("theirs.bin", firmware);

        (await CliRunner.RunAsync("file", "suffix", "add", ours, "--vid", "0x0483", "--pid", "0xdf11", "--did", "0x2200"))
            .ExitCode.Should().Be(ExitCodes.Ok);
        var check = PeerTools.Run("dfu-suffix", ["-c", ours]);
        var add = PeerTools.Run("dfu-suffix", ["-v", "0x0483", "-p", "0xdf11", "-d", "0x2200", "-a", theirs]);

        check.ExitCode.Should().Be(0, check.ToString());
        check.StandardOutput.Should().Contain("Vendor ID:\t0x0483").And.Contain("BCD device:\t0x2200");
        add.ExitCode.Should().Be(0, add.ToString());
        File.ReadAllBytes(ours).Should().Equal(File.ReadAllBytes(theirs));
    }

    [PeerFact("dfu-suffix")]
    public async Task SuffixAdd_Spec_IsAcceptedByDfuSuffix()
    {
        // dfu-suffix 0.11 cannot write bcdDFU itself (its -S option is missing from its option string), so only -c is compared.
        using var dir = new TempDir();
        string ours = dir.Write("ours.bin", [1, 2, 3, 4, 5]);

        (await CliRunner.RunAsync("file", "suffix", "add", ours, "--spec", "0x011A")).ExitCode.Should().Be(ExitCodes.Ok);
        var check = PeerTools.Run("dfu-suffix", ["-c", ours]);

        check.ExitCode.Should().Be(0, check.ToString());
        check.StandardOutput.Should().Contain("BCD DFU:\t0x011A").And.Contain("Vendor ID:\t0xFFFF");
    }

    [PeerFact("dfu-suffix", "dfu-prefix")]
    public async Task PrefixAdd_Lpc_MatchesDfuPrefix()
    {
        using var dir = new TempDir();
        byte[] firmware = Enumerable.Range(0, 1500).Select(i => (byte)i).ToArray();
        string ours = dir.Write("ours.dfu", firmware);
        string theirs = dir.Write("theirs.dfu", firmware);
        PeerTools.Run("dfu-suffix", ["-a", theirs]).ExitCode.Should().Be(0);
        await CliRunner.RunAsync("file", "suffix", "add", ours);

        var run = await CliRunner.RunAsync("file", "prefix", "add", ours, "--type", "lpc");
        var peer = PeerTools.Run("dfu-prefix", ["-L", "-a", theirs]);

        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        peer.ExitCode.Should().Be(0, peer.ToString());
        File.ReadAllBytes(ours).Should().Equal(File.ReadAllBytes(theirs));
    }

    [PeerFact("dfuse-pack")]
    public async Task Pack_Output_IsReadByDfusePack()
    {
        using var dir = new TempDir();
        string output = dir.File("packed.dfu");
        string app = TestPaths.Vector("gen/bin/app_4k.bin");
        string opt = TestPaths.Vector("gen/bin/opt16.bin");

        (await CliRunner.RunAsync("file", "pack", output, "--bin", "0x08000000:" + app, "--alt", "1", "--name", "Option Bytes", "--bin", "0x1FFFC000:" + opt))
            .ExitCode.Should().Be(ExitCodes.Ok);
        var dump = PeerTools.Run("dfuse-pack", ["-d", output], workingDirectory: dir.Path);

        dump.ExitCode.Should().Be(0, dump.ToString());
        dump.StandardOutput.Should().Contain("address: 0x08000000, size: 4096").And.Contain("address: 0x1fffc000, size: 16")
            .And.Contain("usb: 0483:df11");
        File.ReadAllBytes(Path.Combine(dir.Path, "packed.dfu.target0.image0.bin")).Should().Equal(File.ReadAllBytes(app));
        File.ReadAllBytes(Path.Combine(dir.Path, "packed.dfu.target1.image0.bin")).Should().Equal(File.ReadAllBytes(opt));
    }

    [PeerTheory("srec_cat")]
    [InlineData("gen/hex/small_16bit.hex", 0x0100u)]
    [InlineData("gen/hex/gaps_linear.hex", 0x0800_0000u)]
    [InlineData("gen/hex/cross64k.hex", 0x0800_FF00u)]
    [InlineData("real/fwupd/firmware.hex", 0x4000u)]
    public async Task ConvertHexToBin_EqualsSrecCat(string name, uint start)
    {
        using var dir = new TempDir();
        string input = TestPaths.Vector(name);
        string ours = dir.File("ours.bin");
        string theirs = dir.File("theirs.bin");

        var run = await CliRunner.RunAsync("file", "convert", input, ours);

        // srec_cat writes a binary from address 0 and leaves gaps as zeros; ours starts at the lowest address and fills
        // gaps with 0xFF (erased flash), so srec_cat is asked for the same: fill within the data, then shift to 0.
        var peer = PeerTools.Run("srec_cat", ["(", input, "-intel", "-fill", "0xFF", "-over", input, "-intel", ")",
            "-offset", $"-0x{start:X8}", "-o", theirs, "-binary"]);
        run.ExitCode.Should().Be(ExitCodes.Ok, run.ToString());
        peer.ExitCode.Should().Be(0, peer.ToString());
        File.ReadAllBytes(ours).Should().Equal(File.ReadAllBytes(theirs));
    }

    [PeerFact("srec_cat")]
    public async Task ConvertHexToBin_DataAtZero_EqualsPlainSrecCat()
    {
        using var dir = new TempDir();
        string hex = dir.File("x.hex");
        PeerTools.Run("srec_cat", [TestPaths.Vector("gen/bin/app_odd.bin"), "-binary", "-o", hex, "-intel"]).ExitCode.Should().Be(0);

        var run = await CliRunner.RunAsync("file", "convert", hex, dir.File("ours.bin"));
        var peer = PeerTools.Run("srec_cat", [hex, "-intel", "-o", dir.File("theirs.bin"), "-binary"]);

        run.ExitCode.Should().Be(ExitCodes.Ok);
        peer.ExitCode.Should().Be(0);
        File.ReadAllBytes(dir.File("ours.bin")).Should().Equal(File.ReadAllBytes(dir.File("theirs.bin")));
    }
}
