using System.Diagnostics;

namespace DfuSharp.Cli.Tests.Ui;

/// <summary>
/// <c>dfusharp ui --device sim:stm32f4</c> end to end in a real terminal: tmux at 120×40, keys sent with send-keys, the
/// screen read with capture-pane. Every wait is bounded.
/// </summary>
public sealed class UiTmuxTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);
    private readonly string _socket = "dfusharp-ui-" + Guid.NewGuid().ToString("N");
    private readonly TempDir _dir = new();

    [TmuxFact]
    public async Task Ui_UpgradeWithVerifyThenQuit_ShowsBoardAndExitsZero()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "DfuSharp.Cli.dll");
        string firmware = _dir.Copy(TestPaths.InRepo("samples", "blinky-stm32f4.dfu"));
        string exit = _dir.File("exit");
        string command = $"LC_ALL=C.UTF-8 dotnet '{cli}' ui --device sim:stm32f4 --file '{firmware}'; echo $? > '{exit}'; sleep 600";
        await TmuxAsync("new-session", "-d", "-s", "ui", "-x", "120", "-y", "40", "-c", _dir.Path, command);

        string screen = await ScreenAsync(s => s.Contains("Sectors of alt 0: Internal Flash", StringComparison.Ordinal));
        screen.Should().Contain("0483:df11 dfu     sim-1 STM32  BOOTLOADER");

        await TmuxAsync("send-keys", "-t", "ui", "M-v");
        await ScreenAsync(s => s.Contains("☑ Verify", StringComparison.Ordinal));
        await TmuxAsync("send-keys", "-t", "ui", "M-s");
        screen = await ScreenAsync(s => s.Contains("Done: ", StringComparison.Ordinal) || s.Contains("Failed: ", StringComparison.Ordinal));
        screen.Should().Contain("Done: 4096 bytes written, verified");

        await TmuxAsync("send-keys", "-t", "ui", "q");
        long deadline = Environment.TickCount64 + (long)s_bound.TotalMilliseconds;
        while (!File.Exists(exit) || (await File.ReadAllTextAsync(exit)).Trim().Length == 0)
        {
            Environment.TickCount64.Should().BeLessThan(deadline, "dfusharp ui should quit on q");
            await Task.Delay(100);
        }

        (await File.ReadAllTextAsync(exit)).Trim().Should().Be("0");
    }

    [TmuxFact]
    public async Task Ui_InACLocale_DrawsPlainAsciiAndQuits()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "DfuSharp.Cli.dll");
        string exit = _dir.File("exit");
        string command = $"LC_ALL=C dotnet '{cli}' ui --device sim:stm32f4; echo $? > '{exit}'; sleep 600";
        await TmuxAsync("new-session", "-d", "-s", "ui", "-x", "120", "-y", "40", "-c", _dir.Path, command);

        await ScreenAsync(s => s.Contains("Sectors of alt 0: Internal Flash", StringComparison.Ordinal));
        await TmuxAsync("send-keys", "-t", "ui", "M-v");
        string screen = await ScreenAsync(s => s.Contains("X Verify", StringComparison.Ordinal));
        screen.Should().Contain("+Boards+").And.Contain("- Force");
        screen.Where(c => c > 0x7F).Should().BeEmpty();

        await TmuxAsync("send-keys", "-t", "ui", "q");
        long deadline = Environment.TickCount64 + (long)s_bound.TotalMilliseconds;
        while (!File.Exists(exit) || (await File.ReadAllTextAsync(exit)).Trim().Length == 0)
        {
            Environment.TickCount64.Should().BeLessThan(deadline, "dfusharp ui should quit on q");
            await Task.Delay(100);
        }

        (await File.ReadAllTextAsync(exit)).Trim().Should().Be("0");
    }

    public void Dispose()
    {
        using (var kill = Process.Start(new ProcessStartInfo("tmux", ["-L", _socket, "kill-server"]) { RedirectStandardError = true }))
        {
            kill?.WaitForExit(10_000);
        }

        _dir.Dispose();
    }

    private async Task<string> ScreenAsync(Func<string, bool> ready)
    {
        long deadline = Environment.TickCount64 + (long)s_bound.TotalMilliseconds;
        string screen = string.Empty;
        while (Environment.TickCount64 < deadline)
        {
            screen = await TmuxAsync("capture-pane", "-p", "-t", "ui");
            if (ready(screen))
            {
                return screen;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The screen never showed what was expected; last capture:\n" + screen);
    }

    private async Task<string> TmuxAsync(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(s_bound);
        string output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.Should().Be(0, await process.StandardError.ReadToEndAsync(timeout.Token));
        return output;
    }
}

/// <summary>A fact that needs tmux on the PATH; skipped with that reason where it is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TmuxFactAttribute : FactAttribute
{
    public TmuxFactAttribute()
    {
        bool found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "tmux")));
        if (!found)
        {
            Skip = "needs tmux on the PATH (eng/debian-packages.txt installs it in CI)";
        }
    }
}
