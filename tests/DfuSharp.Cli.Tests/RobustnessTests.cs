using DfuSharp.Formats;

namespace DfuSharp.Cli.Tests;

/// <summary>Error paths: exit codes, messages and JSON for bad options, bad outputs and ranges outside the layout.</summary>
public sealed class RobustnessTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("before.hex", ':')]
    [InlineData("before.srec", 'S')]
    public async Task Download_BackupWithTextExtension_WritesThatFormat(string name, char first)
    {
        string state = _dir.File("dev.sim");
        byte[] old = SimCli.Random(2048, seed: 4);
        (await _cli.RunAsync("download", _dir.Write("a.bin", old), "--address", "0x08000000", "--device", "sim:stm32f4", "--sim-state", state))
            .ExitCode.Should().Be(0);
        string backup = _dir.File(name);

        CliRun run = await _cli.RunAsync("download", _dir.Write("b.bin", SimCli.Random(2048, seed: 5)), "--address", "0x08000000",
            "--device", "sim:stm32f4", "--sim-state", state, "--backup", backup);

        run.ExitCode.Should().Be(0, run.ToString());
        byte[] saved = await File.ReadAllBytesAsync(backup);
        ((char)saved[0]).Should().Be(first);
        MemoryImage image = first == ':' ? IntelHex.Read(saved).Image : SRecord.Read(saved).Image;
        image.Segments[0].Address.Should().Be(0x0800_0000u);
        image.Segments[0].Data.Span[..old.Length].ToArray().Should().Equal(old);
    }

    [Fact]
    public async Task Download_BackupWithUnknownExtension_Exits64BeforeTheDevice()
    {
        CliRun run = await _cli.RunAsync("download", _dir.Write("b.bin", [1, 2, 3]), "--address", "0x08000000",
            "--device", "sim:stm32f4", "--backup", _dir.File("before.txt"));

        run.ExitCode.Should().Be(64, run.ToString());
        _cli.Bus.Should().BeNull("nothing may be sent to the device");
    }

    [Theory]
    [InlineData("file", "info", "--json")]
    [InlineData("file", "info", "a.bin", "b.bin", "--json")]
    [InlineData("upload", "--json")]
    [InlineData("upload", "x.bin", "--length", "zz", "--json")]
    public async Task Parse_ErrorWithJson_PrintsOneErrorObject(params string[] args)
    {
        CliRun run = await _cli.RunAsync(args);

        run.ExitCode.Should().Be(64, run.ToString());
        var json = run.Json();
        json.EnumerateObject().Select(p => p.Name).Should().Equal("error");
        json.GetProperty("error").GetString().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Parse_ErrorWithoutJson_PrintsNothingOnStdout()
    {
        CliRun run = await _cli.RunAsync("file", "info");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task Upload_LengthAboveInt32_Exits64NamingTheOption()
    {
        CliRun run = await _cli.RunAsync("upload", _dir.File("u.bin"), "--length", "0xFFFFFFFF", "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().StartWith("dfusharp: --length: 4294967295 is out of range").And.NotContain("Parameter");
        _cli.Bus.Should().BeNull();
    }

    [Fact]
    public async Task Upload_AddressOutsideTheLayout_Exits65LikeErase()
    {
        CliRun upload = await _cli.RunAsync("upload", _dir.File("u.bin"), "--address", "0xFFFFFF00", "--length", "0x200", "--device", "sim:stm32f4");
        CliRun erase = await _cli.RunAsync("erase", "--address", "0xFFFFFF00", "--length", "0x200", "--device", "sim:stm32f4");

        upload.ExitCode.Should().Be(65, upload.ToString());
        upload.Stderr.Should().Contain("outside the memory layout").And.NotContain("(Parameter");
        erase.ExitCode.Should().Be(65, erase.ToString());
    }

    [Fact]
    public void Map_ArgumentException_DropsTheParameterTail()
    {
        var error = Infrastructure.CliErrors.Map(new ArgumentOutOfRangeException("options", 5, "Too far."));

        error.ExitCode.Should().Be(64);
        error.Message.Should().Be("Too far.");
    }

    [LinuxFact]
    public async Task Convert_OutputInAFolderWhereFilesCannotBeCreated_Exits73()
    {
        string input = _dir.Write("x.bin", [1, 2, 3]);

        CliRun run = await _cli.RunAsync("file", "convert", input, "/proc/out.hex");

        run.ExitCode.Should().Be(73, run.ToString());
        run.Stderr.Should().StartWith("dfusharp: /proc/out.hex: cannot create");
    }

    [Fact]
    public void Map_OutputFileNotFound_Is73AndInputIs66()
    {
        Infrastructure.CliErrors.Map(new Infrastructure.CliFileException("o", Infrastructure.FileRole.Output, new FileNotFoundException()))
            .ExitCode.Should().Be(73);
        Infrastructure.CliErrors.Map(new Infrastructure.CliFileException("i", Infrastructure.FileRole.Input, new FileNotFoundException()))
            .ExitCode.Should().Be(66);
    }

    [Fact]
    public async Task Download_SimStateInMissingFolder_Exits73BeforeDownloading()
    {
        string state = Path.Combine(_dir.Path, "missing", "x.sim");

        CliRun run = await _cli.RunAsync("download", _dir.Write("a.bin", [1, 2, 3]), "--address", "0x08000000", "--device", "sim:stm32f4", "--sim-state", state);

        run.ExitCode.Should().Be(73, run.ToString());
        run.Stdout.Should().NotContain("Downloaded");
        _cli.Bus.Should().BeNull("nothing may be sent to the device");
    }

    [Fact]
    public async Task Upload_OutputInMissingFolder_Exits73BeforeReading()
    {
        CliRun run = await _cli.RunAsync("upload", Path.Combine(_dir.Path, "missing", "u.bin"), "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(73, run.ToString());
        _cli.Bus.Should().BeNull("nothing may be read from the device");
    }

    [LinuxFact]
    public async Task Upload_OutputInAFolderThatTakesNoFiles_Exits73BeforeReading()
    {
        CliRun run = await _cli.RunAsync("upload", "/proc/u.bin", "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(73, run.ToString());
        run.Stderr.Should().StartWith("dfusharp: /proc/u.bin: cannot create");
        _cli.Bus.Should().BeNull("nothing may be read from the device");
    }

    [Fact]
    public async Task PrefixAdd_StellarisAddressNotAligned_Exits64WithoutParameterTail()
    {
        CliRun run = await _cli.RunAsync("file", "prefix", "add", _dir.Write("a.bin", [1, 2, 3]), "--type", "stellaris", "--address", "3");

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().NotContain("(Parameter");
    }

    [Fact]
    public async Task Download_SuffixForAnotherDevice_NamesBcdDeviceInHex()
    {
        string file = _dir.File("other.dfu");
        (await _cli.RunAsync("file", "pack", file, "--vid", "0x1234", "--pid", "0x5678", "--did", "0xFFFF", "--bin", "0x08000000:" + _dir.Write("a.bin", [1, 2]))).ExitCode.Should().Be(0);

        CliRun run = await _cli.RunAsync("download", file, "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("bcdDevice 0xFFFF").And.NotContain("bcdDevice ffff");
    }

    [Fact]
    public async Task Info_Json_TargetAndElementKeysInOrder()
    {
        string file = _dir.File("t.dfu");
        (await _cli.RunAsync("file", "pack", file, "--name", "Flash", "--bin", "0x08000000:" + _dir.Write("a.bin", [1, 2, 3]))).ExitCode.Should().Be(0);

        CliRun run = await _cli.RunAsync("file", "info", file, "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        var target = run.Json().GetProperty("targets")[0];
        target.EnumerateObject().Select(p => p.Name).Should().Equal("alternateSetting", "name", "elements");
        target.GetProperty("elements")[0].EnumerateObject().Select(p => p.Name).Should().Equal("address", "size", "sha256");
    }

    [Fact]
    public async Task List_LibUsbMissing_Exits69WithTheMessage()
    {
        var context = new Infrastructure.CliContext(new StringWriter(), new StringWriter())
        {
            Devices = _cli.Environment with
            {
                CreateUsbProvider = () => throw new DfuSharp.Usb.UsbTransportException(DfuSharp.Usb.UsbError.LibraryMissing,
                    "The libusb-1.0 library DFUSHARP_LIBUSB_PATH names could not be loaded: /nonexistent."),
            },
        };

        int code = await CliApp.RunAsync(["list", "--json"], context);

        code.Should().Be(69);
        context.Error.ToString().Should().Be($"dfusharp: The libusb-1.0 library DFUSHARP_LIBUSB_PATH names could not be loaded: /nonexistent.{Environment.NewLine}");
        context.Out.ToString().Should().Contain("\"error\"").And.Contain("/nonexistent");
    }
}
