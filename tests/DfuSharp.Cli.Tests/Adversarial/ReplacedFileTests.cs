using System.Diagnostics;

namespace DfuSharp.Cli.Tests.Adversarial;

/// <summary>
/// An output that replaces a file keeps the file's permissions, refuses a file the user could not write, follows a
/// symbolic link to its target, and works for names near the file-system limit.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ReplacedFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<UnixFileMode> Modes => new()
    {
        UnixFileMode.UserRead | UnixFileMode.UserWrite,
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead,
    };

    [UnixTheory]
    [MemberData(nameof(Modes))]
    public async Task SuffixAdd_KeepsTheFilesMode(UnixFileMode mode)
    {
        string file = _dir.Write("app.bin", SimCli.Random(1024, seed: 1));
        File.SetUnixFileMode(file, mode);

        CliRun run = await CliRunner.RunAsync("file", "suffix", "add", file);

        run.ExitCode.Should().Be(0, run.ToString());
        File.GetUnixFileMode(file).Should().Be(mode);
    }

    [UnixFact]
    public async Task Convert_OverAPrivateFile_KeepsItPrivate()
    {
        string input = _dir.Write("app.bin", SimCli.Random(512, seed: 2));
        string output = _dir.Write("app.hex", []);
        File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        CliRun run = await CliRunner.RunAsync("file", "convert", input, output);

        run.ExitCode.Should().Be(0, run.ToString());
        File.GetUnixFileMode(output).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        new FileInfo(output).Length.Should().BeGreaterThan(512);
    }

    [NonRootUnixFact]
    public async Task Convert_OverAFileTheUserCannotWrite_Exits73AndKeepsIt()
    {
        string input = _dir.Write("app.bin", SimCli.Random(512, seed: 3));
        string output = _dir.Write("locked.hex", "old"u8.ToArray());
        File.SetUnixFileMode(output, UnixFileMode.UserRead);

        CliRun run = await CliRunner.RunAsync("file", "convert", input, output);

        run.ExitCode.Should().Be(73, run.ToString());
        run.Stderr.Should().Contain("not writable for you");
        File.ReadAllBytes(output).Should().Equal("old"u8.ToArray());
    }

    [RootLinuxFact]
    public async Task Convert_AsAnotherUserOverARootFile_Exits73AndKeepsIt()
    {
        // A folder anyone may write holds a file only root may write: the rename would be allowed, the replacement
        // must not be.
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0x1FF);
        string input = _dir.Write("app.bin", SimCli.Random(512, seed: 8));
        File.SetUnixFileMode(input, (UnixFileMode)0x1A4);
        string output = _dir.Write("roots.hex", "old"u8.ToArray());
        File.SetUnixFileMode(output, (UnixFileMode)0x1A4);
        using var child = ChildProcess.Start(_dir.Path, new Dictionary<string, string>(),
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], "file", "convert", input, output);

        CliRun run = await child.WaitForExitAsync();

        run.ExitCode.Should().Be(73, run.ToString());
        run.Stderr.Should().Contain("not writable for you");
        File.ReadAllBytes(output).Should().Equal("old"u8.ToArray());
    }

    [RootLinuxFact]
    public async Task Convert_OverAnotherUsersFile_KeepsItsOwner()
    {
        string input = _dir.Write("app.bin", SimCli.Random(512, seed: 7));
        string output = _dir.Write("theirs.hex", []);
        Run("chown", "65534:65534", output);

        CliRun run = await CliRunner.RunAsync("file", "convert", input, output);

        run.ExitCode.Should().Be(0, run.ToString());
        Run("stat", "-c", "%u:%g", output).Trim().Should().Be("65534:65534");
    }

    [UnixFact]
    public async Task SuffixAdd_ThroughASymbolicLink_ChangesTheTargetAndKeepsTheLink()
    {
        string target = _dir.Write("real.bin", SimCli.Random(256, seed: 4));
        string link = _dir.File("link.bin");
        File.CreateSymbolicLink(link, target);

        CliRun run = await CliRunner.RunAsync("file", "suffix", "add", link);

        run.ExitCode.Should().Be(0, run.ToString());
        new FileInfo(link).LinkTarget.Should().Be(target);
        new FileInfo(target).Length.Should().Be(256 + 16);
    }

    [UnixFact]
    public async Task SuffixAdd_OnAHardLinkedFile_ReplacesThatNameOnly()
    {
        byte[] content = SimCli.Random(256, seed: 5);
        string file = _dir.Write("one.bin", content);
        string other = _dir.File("other.bin");
        Run("ln", file, other);

        CliRun run = await CliRunner.RunAsync("file", "suffix", "add", file);

        run.ExitCode.Should().Be(0, run.ToString());
        new FileInfo(file).Length.Should().Be(256 + 16);
        File.ReadAllBytes(other).Should().Equal(content, "the replacement is a new file; other names keep the old content (documented)");
    }

    [Fact]
    public async Task Convert_OutputNameNearTheFileSystemLimit_Succeeds()
    {
        string input = _dir.Write("app.bin", SimCli.Random(256, seed: 6));
        string output = _dir.File(new string('n', 251) + ".hex");

        CliRun run = await CliRunner.RunAsync("file", "convert", input, output);

        run.ExitCode.Should().Be(0, run.ToString());
        File.Exists(output).Should().BeTrue();
        _dir.Entries().Should().HaveCount(2, "no temporary file is left behind");
    }

    private static string Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { UseShellExecute = false, RedirectStandardOutput = true })!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"{program} must succeed");
        return output;
    }

    [UnixFact]
    public async Task Upload_ToAFifoWithoutAReader_HonoursCancellation()
    {
        string fifo = _dir.File("out.bin");
        Run("mkfifo", fifo);

        var cli = new SimCli();
        using var cancellation = new CancellationTokenSource();

        // The board is read at once (virtual time); a moment after the last progress line the command is blocked
        // opening the FIFO, which nothing reads, and is cancelled there.
        using var stderr = new CancelAfterText("100%", cancellation, TimeSpan.FromMilliseconds(300));
        Task<CliRun> upload = cli.RunAsync(stderr, cancellation.Token,
            "upload", fifo, "--address", "0x08000000", "--length", "1024", "--device", "sim:stm32f4");

        CliRun run = await upload.WaitAsync(ChildProcess.Patience);

        run.ExitCode.Should().Be(130, run.ToString());
    }
}

/// <summary>A Unix fact that means something only for a user without root's right to write every file.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NonRootUnixFactAttribute : FactAttribute
{
    public NonRootUnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "needs Unix permissions";
        }
        else if (Environment.UserName == "root")
        {
            Skip = "root may write every file; run as another user";
        }
    }
}

/// <summary>A standard-error writer that cancels a token a moment after a line containing a marker is written.</summary>
internal sealed class CancelAfterText(string marker, CancellationTokenSource cancellation, TimeSpan delay) : StringWriter
{
    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        if (value?.Contains(marker, StringComparison.Ordinal) == true)
        {
            cancellation.CancelAfter(delay);
        }
    }
}

/// <summary>A Linux fact for root, who may give a file to another user (chown).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RootLinuxFactAttribute : FactAttribute
{
    public RootLinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Skip = "needs root on Linux to act as or for another user";
        }
        else if (PeerTools.Find("setpriv") is null)
        {
            Skip = "needs setpriv (util-linux) to run as another user";
        }
    }
}
