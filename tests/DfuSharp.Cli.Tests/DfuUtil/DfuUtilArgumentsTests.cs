using DfuSharp.Cli.Commands.DfuUtil;
using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Tests.DfuUtil;

/// <summary>The dfu-util 0.11 command line as getopt_long reads it: every option, its spellings, and every refusal.</summary>
public sealed class DfuUtilArgumentsTests
{
    private static DfuUtilRequest Parse(params string[] args) => DfuUtilArguments.Parse(args);

    [Theory]
    [InlineData("0x08000000", 0x0800_0000u)]
    [InlineData("0X1f", 0x1Fu)]
    [InlineData("010", 8u)]
    [InlineData("0", 0u)]
    [InlineData("8192", 8192u)]
    [InlineData("4294967295", uint.MaxValue)]
    public void TryParseNumber_StrtoulBaseZero_ReadsTheValue(string text, uint expected)
    {
        DfuUtilArguments.TryParseNumber(text, out uint value).Should().BeTrue();
        value.Should().Be(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("08")]
    [InlineData("12k")]
    [InlineData("-1")]
    [InlineData("4294967296")]
    [InlineData("0x1_0")]
    public void TryParseNumber_NotAWholeNumber_IsRefused(string text)
        => DfuUtilArguments.TryParseNumber(text, out _).Should().BeFalse();

    [Fact]
    public void Parse_EveryShortOptionWithSeparateValues_ReadsEachField()
    {
        DfuUtilRequest r = Parse("-e", "-E", "7", "-R", "-w", "-D", "fw.bin", "-d", "0483:df11", "-n", "5", "-p", "1-1.4",
            "-c", "1", "-i", "0", "-a", "Internal Flash", "-S", "ABC", "-t", "1024", "-s", "0x08000000:leave");

        r.Detach.Should().BeTrue();
        r.DetachDelay.Should().Be(7);
        r.Reset.Should().BeTrue();
        r.Wait.Should().BeTrue();
        r.Download.Should().Be("fw.bin");
        r.Device.Should().Be("0483:df11");
        r.DeviceNumber.Should().Be(5);
        r.Path.Should().Be("1-1.4");
        r.Configuration.Should().Be(1);
        r.Interface.Should().Be(0);
        r.Alternate.Should().Be("Internal Flash");
        r.Serial.Should().Be(("ABC", "ABC"));
        r.TransferSize.Should().Be((ushort)1024);
        r.DfuSe.Should().Be(new DfuSeAddressOptions(0x0800_0000, null, Leave: true, Force: false, MassErase: false, Unprotect: false, WillReset: false));
    }

    [Fact]
    public void Parse_UploadWithSize_ReadsUploadAndSize()
    {
        DfuUtilRequest r = Parse("-U", "out.bin", "-Z", "0x2000");

        r.Upload.Should().Be("out.bin");
        r.UploadSize.Should().Be(0x2000);
    }

    [Fact]
    public void Parse_ClusteredAndAttached_ReadsLikeGetopt()
    {
        DfuUtilRequest r = Parse("-wRa0", "-Dfw.bin", "-s0x08000000:mass-erase:force");

        r.Wait.Should().BeTrue();
        r.Reset.Should().BeTrue();
        r.Alternate.Should().Be("0");
        r.Download.Should().Be("fw.bin");
        r.DfuSe!.MassErase.Should().BeTrue();
        r.DfuSe.Force.Should().BeTrue();
    }

    [Fact]
    public void Parse_LongOptionsWithEqualsSpaceAndPrefix_ReadLikeGetoptLong()
    {
        DfuUtilRequest r = Parse("--alt=1", "--download", "fw.dfu", "--conf", "1", "--intf=0", "--serial=A,B", "--dfuse-address", ":leave", "--wait");

        r.Alternate.Should().Be("1");
        r.Download.Should().Be("fw.dfu");
        r.Configuration.Should().Be(1);
        r.Interface.Should().Be(0);
        r.Serial.Should().Be(("A", "B"));
        r.DfuSe.Should().Be(new DfuSeAddressOptions(null, null, true, false, false, false, false));
        r.Wait.Should().BeTrue();
    }

    [Theory]
    [InlineData("-l")]
    [InlineData("--list")]
    public void Parse_List_IsAnOperation(string option) => Parse(option).Should().Match<DfuUtilRequest>(r => r.List && r.HasOperation);

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void Parse_Help_AsksForUsage(string option) => Parse(option).Help.Should().BeTrue();

    [Theory]
    [InlineData("-V")]
    [InlineData("--version")]
    public void Parse_Version_AsksForVersion(string option) => Parse(option).Version.Should().BeTrue();

    [Fact]
    public void ParseDfuSe_LengthAndEveryModifier_ReadsThemAll()
        => DfuUtilArguments.ParseDfuSe("0x08004000:8192:leave:force:mass-erase:will-reset")
            .Should().Be(new DfuSeAddressOptions(0x0800_4000, 8192, true, true, true, false, true));

    [Theory]
    [InlineData("0x08000000:leave")]
    [InlineData("0x08000000:mass-erase:force")]
    [InlineData("0x08000000:unprotect:force")]
    public void Parse_DfuSeModifierAlone_IsAnOperation(string dfuse) => Parse("-s", dfuse).HasOperation.Should().BeTrue();

    [Fact]
    public void ParseDfuSe_Unprotect_NeedsForce()
        => DfuUtilArguments.ParseDfuSe("0x08000000:unprotect:force").Unprotect.Should().BeTrue();

    [Theory]
    [InlineData("invalid option -- 'x'", "-x")]
    [InlineData("invalid option -- 'q'", "-lq")]
    [InlineData("unrecognized option '--bogus'", "--bogus")]
    [InlineData("is ambiguous", "--d", "x")]
    [InlineData("requires an argument -- 'D'", "-D")]
    [InlineData("option '--download' requires an argument", "--download")]
    [InlineData("doesn't allow an argument", "--list=1")]
    [InlineData("unexpected argument: fw.bin", "-D", "a.bin", "fw.bin")]
    [InlineData("unexpected argument: x", "-l", "--", "x")]
    [InlineData("-v (verbose) is not supported", "-v", "-l")]
    [InlineData("-E: \"soon\"", "-e", "-E", "soon")]
    [InlineData("-n: \"x1\"", "-l", "-n", "x1")]
    [InlineData("-c: 256 is larger than 255", "-l", "-c", "256")]
    [InlineData("-i: \"zero\"", "-l", "-i", "zero")]
    [InlineData("-t: invalid transfer size", "-l", "-t", "0")]
    [InlineData("-t: invalid transfer size", "-l", "-t", "65536")]
    [InlineData("-Z: \"big\"", "-U", "o.bin", "-Z", "big")]
    [InlineData("-p needs a port path", "-l", "-p", "")]
    [InlineData("-a needs a number or a name", "-l", "-a", "")]
    [InlineData("-S needs a serial number", "-l", "-S", ",")]
    [InlineData("-D needs a file name", "-D", "")]
    [InlineData("-U needs a file name", "-U", "")]
    [InlineData("-s: invalid address \"0xZZ\"", "-D", "f.bin", "-s", "0xZZ")]
    [InlineData("-s: invalid DfuSe modifier \"jump\"", "-D", "f.bin", "-s", "0x08000000:jump")]
    [InlineData("-s: invalid DfuSe modifier \"16\"", "-U", "o.bin", "-s", "0x08000000:8:16")]
    [InlineData("needs \"force\" too", "-D", "f.bin", "-s", "0x08000000:mass-erase")]
    [InlineData("needs \"force\" too", "-s", "0x08000000:unprotect")]
    [InlineData("-D and -U cannot be combined", "-D", "a.bin", "-U", "b.bin")]
    [InlineData("-l lists devices", "-l", "-D", "a.bin")]
    [InlineData("-Z applies only to an upload", "-D", "a.bin", "-Z", "16")]
    [InlineData("a length applies only to an upload", "-D", "a.bin", "-s", "0x08000000:16")]
    [InlineData("mass-erase cannot be combined with an upload", "-U", "o.bin", "-s", "0x08000000:mass-erase:force")]
    [InlineData("unprotect removes read protection", "-D", "a.bin", "-s", "0x08000000:unprotect:force")]
    [InlineData("will-reset applies only to a download", "-U", "o.bin", "-s", "0x08000000:will-reset")]
    public void Parse_Refused_IsAUsageError(string message, params string[] args)
    {
        Action parse = () => Parse(args);

        parse.Should().Throw<CliException>().Where(e => e.ExitCode == ExitCodes.Usage).WithMessage($"*{message}*");
    }
}
