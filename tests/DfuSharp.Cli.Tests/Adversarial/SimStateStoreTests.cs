using System.Runtime.InteropServices;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Tests.Adversarial;

/// <summary><c>--sim-state</c> is a store: locked for the whole command, untouched by reads, refused as the command's own file.</summary>
public sealed class SimStateStoreTests : IDisposable
{
    private static readonly DateTime s_past = new(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    private readonly TempDir _dir = new();
    private readonly SimCli _cli = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("info")]
    [InlineData("list")]
    [InlineData("upload")]
    public async Task ReadOnlyCommand_LeavesTheStateFileUntouched(string command)
    {
        string state = await WrittenStateAsync();
        byte[] before = File.ReadAllBytes(state);
        File.SetLastWriteTimeUtc(state, s_past);
        string[] args = command == "upload"
            ? ["upload", _dir.File("back.bin"), "--address", "0x08000000", "--length", "4096"]
            : [command];

        CliRun run = await _cli.RunAsync([.. args, "--device", "sim:stm32f4", "--sim-state", state]);

        run.ExitCode.Should().Be(0, run.ToString());
        File.GetLastWriteTimeUtc(state).Should().Be(s_past, "a command that changes no memory does not rewrite the state");
        File.ReadAllBytes(state).Should().Equal(before);
    }

    [Fact]
    public async Task Download_ChangesMemory_RewritesTheStateInPlaceKeepingItsMode()
    {
        string state = await WrittenStateAsync();
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(state, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        byte[] before = File.ReadAllBytes(state);
        CliRun run = await _cli.RunAsync("download", _dir.Write("two.bin", SimCli.Random(2048, seed: 9)), "--address", "0x08000000",
            "--device", "sim:stm32f4", "--sim-state", state);

        run.ExitCode.Should().Be(0, run.ToString());
        File.ReadAllBytes(state).Should().NotEqual(before);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(state).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public async Task EmptyStateFile_IsAFreshDevice()
    {
        string state = _dir.Write("mktemp.state", []);

        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--sim-state", state);

        run.ExitCode.Should().Be(0, run.ToString());
        new FileInfo(state).Length.Should().Be(0, "a fresh device that nothing changed needs no saving");
    }

    [Fact]
    public async Task CorruptStateFile_Exits65WithTheOffset()
    {
        string state = await WrittenStateAsync();
        byte[] bytes = File.ReadAllBytes(state);

        // Magic (4), version (4), the profile name ("stm32f4": a length byte and 7 characters), read protection (1):
        // the memory count follows at offset 17.
        bytes[20] = 0xFF;
        File.WriteAllBytes(state, bytes);

        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--sim-state", state, "--json");

        run.ExitCode.Should().Be(65, run.ToString());
        run.Stderr.Should().Contain("memory count is corrupt").And.EndWith($"(at byte offset 17){Environment.NewLine}");
        run.Stderr.Should().NotContain("-16777");
    }

    [Fact]
    public async Task StateLockedByAnotherProcess_Exits75AfterTheBoundedWait()
    {
        string state = await WrittenStateAsync();
        using var held = new FileStream(state, FileMode.Open, FileAccess.ReadWrite, FileShare.None);

        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4", "--sim-state", state, "--json");

        run.ExitCode.Should().Be(75, run.ToString());
        run.Json().GetProperty("error").GetString().Should().Be($"{state}: in use by another dfusharp command (still locked after 10 s)");
    }

    [UnixFact]
    public async Task StateLockedByAChildProcess_SecondProcessFailsWith75()
    {
        string state = _dir.File("shared.state");
        // 768 KiB at spec pacing (every reported poll timeout waited out) take the simulated board about 45 s, far
        // longer than the second process waits for the lock (10 s).
        string firmware = _dir.Write("big.bin", SimCli.Random(768 * 1024, seed: 5));
        using var first = ChildProcess.Start(_dir.Path, "download", firmware, "--address", "0x08000000",
            "--device", "sim:stm32f4", "--sim-state", state, "--pacing", "spec");
        await first.WaitForStderrAsync("erase:");

        using var second = ChildProcess.Start(_dir.Path, "info", "--device", "sim:stm32f4", "--sim-state", state);
        CliRun blocked = await second.WaitForExitAsync();
        first.Signal(2);
        CliRun finished = await first.WaitForExitAsync();

        blocked.ExitCode.Should().Be(75, blocked.ToString());
        blocked.Stderr.Should().Contain("in use by another dfusharp command");
        finished.ExitCode.Should().Be(130, finished.ToString());
    }

    [Theory]
    [InlineData("upload")]
    [InlineData("backup")]
    public async Task SimStateNamingTheCommandsOwnOutput_Exits64(string which)
    {
        string file = _dir.File("same.bin");
        string[] args = which == "upload"
            ? ["upload", file, "--device", "sim:stm32f4", "--sim-state", file, "--length", "16", "--address", "0x08000000"]
            : ["download", _dir.Write("fw.bin", new byte[64]), "--address", "0x08000000", "--backup", Path.Combine(_dir.Path, ".", "same.bin"),
                "--device", "sim:stm32f4", "--sim-state", file];

        CliRun run = await _cli.RunAsync(args);

        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("is also a file of this command");
        File.Exists(file).Should().BeFalse();
    }

    [Fact]
    public async Task Json_FailureAfterTheResult_PrintsOnlyTheErrorObject()
    {
        var context = new CliContext(new StringWriter(), new StringWriter())
        {
            Devices = _cli.Environment with { CreateUsbProvider = () => new FailingOnDispose(_cli.UsbBus) },
        };

        int code = await CliApp.RunAsync(["list", "--json"], context);

        code.Should().Be(74);
        string stdout = context.Out.ToString()!;
        stdout.Should().StartWith("{").And.Contain("\"error\"").And.NotContain("devices");
        using var document = System.Text.Json.JsonDocument.Parse(stdout);
        document.RootElement.GetProperty("error").GetString().Should().Contain("disk full");
    }

    [UnixFact]
    public async Task LibUsbPathNamingAnotherLibrary_Exits69WithoutAStackTrace()
    {
        string notLibUsb = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(),
            OperatingSystem.IsMacOS() ? "libSystem.Native.dylib" : "libSystem.Native.so");
        using var child = ChildProcess.Start(_dir.Path, new Dictionary<string, string> { ["DFUSHARP_LIBUSB_PATH"] = notLibUsb },
            "list", "--json");

        CliRun run = await child.WaitForExitAsync();

        run.ExitCode.Should().Be(69, run.ToString());
        run.Stderr.Should().Contain("is not libusb-1.0").And.NotContain("   at ");
        run.Json().GetProperty("error").GetString().Should().NotContain("Exception");
    }

    [Fact]
    public async Task Json_InternalError_KeepsTheStackTraceOutOfTheObject()
    {
        var context = new CliContext(new StringWriter(), new StringWriter())
        {
            Devices = _cli.Environment with { CreateUsbProvider = () => throw new InvalidCastException("a defect") },
        };

        int code = await CliApp.RunAsync(["list", "--json"], context);

        code.Should().Be(70);
        using var document = System.Text.Json.JsonDocument.Parse(context.Out.ToString()!);
        document.RootElement.GetProperty("error").GetString().Should().Be("internal error (InvalidCastException): a defect; please report it");
        context.Error.ToString().Should().Contain("   at ", "the stack trace goes to standard error for the report");
    }

    private async Task<string> WrittenStateAsync()
    {
        string state = _dir.File("board.state");
        CliRun run = await _cli.RunAsync("download", _dir.Write("one.bin", SimCli.Random(4096, seed: 1)), "--address", "0x08000000",
            "--device", "sim:stm32f4", "--sim-state", state);
        run.ExitCode.Should().Be(0, run.ToString());
        return state;
    }

    // A provider whose release fails after the command printed its result, as saving a state on a full disk did.
    private sealed class FailingOnDispose(IUsbDeviceProvider inner) : IUsbDeviceProvider, IDisposable
    {
        public ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default)
            => inner.EnumerateAsync(cancellationToken);

        public ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default)
            => inner.OpenAsync(device, cancellationToken);

        public TimeProvider TimeProvider => inner.TimeProvider;

        public ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
            => inner.WaitForArrivalAsync(timeout, cancellationToken);

        public void Dispose() => throw new IOException("disk full");
    }
}
