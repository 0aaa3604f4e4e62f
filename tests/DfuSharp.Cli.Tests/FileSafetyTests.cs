using System.Diagnostics;

using DfuSharp.Cli.Files;

namespace DfuSharp.Cli.Tests;

/// <summary>Outputs that are not regular files, and inputs that are not regular files or are too large.</summary>
public sealed class FileSafetyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [UnixFact]
    public async Task Pack_FifoTarget_WritesThroughTheFifoAndKeepsIt()
    {
        string input = _dir.Write("app.bin", SimCli.Random(300, seed: 1));
        string fifo = MakeFifo("out.dfu");
        Task<byte[]> reader = Task.Run(() => File.ReadAllBytesAsync(fifo));

        CliRun run = await CliRunner.RunAsync("file", "pack", fifo, "--bin", $"0x08000000:{input}");

        run.ExitCode.Should().Be(0, run.ToString());
        FileProbe.Probe(fifo).Should().Be(PathKind.Special, "the FIFO must not be replaced by a regular file");
        byte[] received = await reader;
        received.AsSpan(0, 5).ToArray().Should().Equal("DfuSe"u8.ToArray());
        _dir.Entries().Should().BeEquivalentTo("app.bin", "out.dfu");
    }

    [Fact]
    public async Task Convert_DirectoryTarget_Exits73IsADirectory()
    {
        string input = _dir.Write("app.bin", SimCli.Random(64, seed: 3));
        string target = Directory.CreateDirectory(_dir.File("out.hex")).FullName;

        CliRun run = await CliRunner.RunAsync("file", "convert", input, target);

        run.ExitCode.Should().Be(73, run.ToString());
        run.Stderr.Should().Be($"dfusharp: {target}: cannot create: is a directory{Environment.NewLine}");
        Directory.Exists(target).Should().BeTrue();
    }

    [LinuxFact]
    public async Task Info_CharacterDevice_Exits66WithoutReadingIt()
    {
        CliRun run = await CliRunner.RunAsync("file", "info", "/dev/zero", "--json");

        run.ExitCode.Should().Be(66, run.ToString());
        run.Stderr.Should().Be($"dfusharp: /dev/zero: cannot read: not a regular file (a device, FIFO or socket); firmware is read from regular files{Environment.NewLine}");
        run.Json().GetProperty("error").GetString().Should().StartWith("/dev/zero: cannot read: not a regular file");
    }

    [UnixFact]
    public async Task Info_Fifo_Exits66WithoutOpeningIt()
    {
        // Opening a FIFO with no writer blocks; the check must come first or this test never ends.
        string fifo = MakeFifo("in.bin");

        CliRun run = await CliRunner.RunAsync("file", "info", fifo);

        run.ExitCode.Should().Be(66, run.ToString());
        run.Stderr.Should().Contain("not a regular file");
    }

    [Fact]
    public async Task Info_Directory_Exits66IsADirectory()
    {
        CliRun run = await CliRunner.RunAsync("file", "info", _dir.Path);

        run.ExitCode.Should().Be(66, run.ToString());
        run.Stderr.Should().Be($"dfusharp: {_dir.Path}: cannot read: is a directory{Environment.NewLine}");
    }

    [Fact]
    public async Task Info_FileOverTheCap_Exits65BeforeReading()
    {
        string big = _dir.File("huge.bin");
        using (var stream = new FileStream(big, FileMode.CreateNew))
        {
            // Sparse: the length is set, no block is written.
            stream.SetLength(CliFiles.MaxInputLength + 1);
        }

        CliRun run = await CliRunner.RunAsync("file", "info", big, "--json");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Be($"dfusharp: {big}: too large: dfusharp reads inputs of up to 512 MiB (firmware images are far smaller){Environment.NewLine}");
        run.Json().GetProperty("error").GetString().Should().EndWith("512 MiB (firmware images are far smaller)");
    }

    private string MakeFifo(string name)
    {
        string path = _dir.File(name);
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        process.WaitForExit();
        process.ExitCode.Should().Be(0, "mkfifo must create the FIFO");
        return path;
    }
}

/// <summary>A fact that needs a Unix FIFO or device (mkfifo); Windows has neither at a path.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "needs Unix FIFOs (mkfifo)";
        }
    }
}
