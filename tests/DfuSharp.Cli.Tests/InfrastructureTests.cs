using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Tests;

public sealed class InfrastructureTests
{
    [Fact]
    public async Task RunAsync_NoArguments_IsUsageError()
    {
        var run = await CliRunner.RunAsync();

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Stderr.Should().StartWith("dfusharp: ").And.Contain("--help");
        run.Stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_UnknownOption_IsUsageErrorNamingIt()
    {
        var run = await CliRunner.RunAsync("file", "info", "x.dfu", "--frobnicate");

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Stderr.Should().Contain("--frobnicate").And.Contain("dfusharp file info --help");
    }

    [Theory]
    [InlineData("--vid", "zz")]
    [InlineData("--vid", "0x10000")]
    [InlineData("--pid", "-1")]
    [InlineData("--spec", "")]
    public async Task RunAsync_BadNumber_IsUsageErrorNamingOption(string option, string value)
    {
        var run = await CliRunner.RunAsync("file", "suffix", "add", "x.bin", option, value);

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Stderr.Should().Contain(option);
    }

    [Fact]
    public async Task RunAsync_Help_PrintsCommandsOnStdout()
    {
        var run = await CliRunner.RunAsync("file", "--help");

        run.ExitCode.Should().Be(ExitCodes.Ok);
        run.Stdout.Should().Contain("info").And.Contain("suffix").And.Contain("prefix").And.Contain("pack").And.Contain("convert");
        run.Stderr.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_Cancelled_Exits130()
    {
        using var dir = new TempDir();
        string file = dir.Write("a.bin", [1, 2, 3]);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var run = await CliRunner.RunAsync(cancellation.Token, "file", "info", file);

        run.ExitCode.Should().Be(ExitCodes.Cancelled);
        run.Stderr.Should().Be("dfusharp: cancelled" + Environment.NewLine);
    }

    [Theory]
    [InlineData("0", 0u)]
    [InlineData("4096", 4096u)]
    [InlineData("0x08000000", 0x0800_0000u)]
    [InlineData("0X0800_0000", 0x0800_0000u)]
    [InlineData("0xffffffff", uint.MaxValue)]
    [InlineData("010", 8u)]
    [InlineData("0777", 511u)]
    [InlineData("00", 0u)]
    [InlineData("037777777777", uint.MaxValue)]
    public void TryParseUInt32_ValidText_Parses(string text, uint expected)
    {
        CliNumbers.TryParseUInt32(text, out uint value).Should().BeTrue();
        value.Should().Be(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("0x100000000")]
    [InlineData("12abc")]
    [InlineData("1e3")]
    [InlineData("08")]
    [InlineData("0779")]
    [InlineData("040000000000")]
    public void TryParseUInt32_InvalidText_Fails(string text) => CliNumbers.TryParseUInt32(text, out _).Should().BeFalse();

    public static TheoryData<Exception, int> MappedExceptions() => new()
    {
        { new OperationCanceledException(), ExitCodes.Cancelled },
        { new DfuFormatException(DfuFormatError.CrcMismatch, "bad", 12), ExitCodes.DataError },
        { new CliFileException("in.dfu", FileRole.Input, new FileNotFoundException("x")), ExitCodes.NoInput },
        { new CliFileException("in.dfu", FileRole.Input, new UnauthorizedAccessException("x")), ExitCodes.NoInput },
        { new CliFileException("out.dfu", FileRole.Output, new UnauthorizedAccessException("x")), ExitCodes.CannotCreate },
        { new CliFileException("out.dfu", FileRole.Output, new DirectoryNotFoundException("x")), ExitCodes.CannotCreate },
        { new CliFileException("out.dfu", FileRole.Output, new IOException("disk full")), ExitCodes.IOError },
        { new CliFileException("in.dfu", FileRole.Input, new IOException("bad sector")), ExitCodes.IOError },
        { new CliException(ExitCodes.Usage, "no"), ExitCodes.Usage },
        { new DfuDeviceNotFoundException("none"), ExitCodes.NoDevice },
        { new DfuReenumerationTimeoutException("gone"), ExitCodes.ReenumerationTimeout },
        { new DfuProtocolException("broke"), ExitCodes.Protocol },
        { new UsbTransportException(UsbError.Io, "pipe"), ExitCodes.IOError },
        { new UsbTransportException(UsbError.Timeout, "no answer"), ExitCodes.IOError },
        { new UsbTransportException(UsbError.NoDevice, "gone"), ExitCodes.IOError },
        { new UsbTransportException(UsbError.Stall, "refused"), ExitCodes.Protocol },
        { new UsbTransportException(UsbError.LibraryMissing, "no libusb"), ExitCodes.NoDevice },
        { new DfuAmbiguousDeviceException("2 devices match"), ExitCodes.Usage },
        { new DfuConsentRequiredException("say --force"), ExitCodes.Usage },
        { new DfuFileMismatchException("wrong alt"), ExitCodes.DataError },
        { new DfuVerificationException("differs"), ExitCodes.Protocol },
        { new DfuStatusException("errWRITE"), ExitCodes.Protocol },
        { new DfuEraseCanceledException("erase cancelled; the device finished it"), ExitCodes.Cancelled },
        { new InvalidOperationException("bug"), ExitCodes.Software },
    };

    public static TheoryData<Exception> LibraryExceptions() => new()
    {
        new DfuException("x"),
        new DfuDeviceNotFoundException("none"),
        new DfuAmbiguousDeviceException("two"),
        new DfuReenumerationTimeoutException("gone"),
        new DfuProtocolException("broke"),
        new DfuStatusException("errWRITE"),
        new DfuVerificationException("differs"),
        new DfuFileMismatchException("wrong alt"),
        new DfuConsentRequiredException("say --force"),
        new UsbTransportException(UsbError.Io, "pipe"),
        new UsbTransportException(UsbError.Stall, "refused"),
        new UsbTransportException(UsbError.LibraryMissing, "no libusb"),
    };

    [Theory]
    [MemberData(nameof(LibraryExceptions))]
    public void Map_LibraryException_ExitCodeIsItsCategory(Exception exception)
        => CliErrors.Map(exception).ExitCode.Should().Be((int)((DfuException)exception).Category);

    [Fact]
    public void Map_FormatException_ExitCodeIsItsCategory()
    {
        var exception = new DfuFormatException(DfuFormatError.CrcMismatch, "bad", 12);

        exception.Category.Should().Be(DfuErrorCategory.Data);
        CliErrors.Map(exception).ExitCode.Should().Be((int)DfuErrorCategory.Data);
    }

    [Fact]
    public void Map_EraseCancelled_KeepsItsMessage()
    {
        var error = CliErrors.Map(new DfuEraseCanceledException("cancelled; the device completed the erase"));

        error.ExitCode.Should().Be((int)DfuErrorCategory.Cancelled);
        error.Message.Should().Be("cancelled; the device completed the erase");
    }

    [Fact]
    public void AmbiguousDevice_IsADeviceNotFoundWithUsageCategory()
    {
        DfuDeviceNotFoundException exception = new DfuAmbiguousDeviceException("two");

        exception.Category.Should().Be(DfuErrorCategory.Usage);
        new DfuDeviceNotFoundException("none").Category.Should().Be(DfuErrorCategory.NoDevice);
    }

    [Theory]
    [MemberData(nameof(MappedExceptions))]
    public void Map_Exception_GivesSysexitsCode(Exception exception, int expected)
        => CliErrors.Map(exception).ExitCode.Should().Be(expected);

    [Fact]
    public void Map_FormatErrorInFile_NamesFileAndOffset()
    {
        var error = CliErrors.Map(new CliFileException("fw.dfu", FileRole.Input,
            new DfuFormatException(DfuFormatError.CrcMismatch, "dwCRC is 0x00000000, computed 0x12345678", 100)));

        error.ToDiagnostic().Should().Be("dfusharp: fw.dfu: dwCRC is 0x00000000, computed 0x12345678 at byte offset 100");
        error.ExitCode.Should().Be(ExitCodes.DataError);
    }
}
