using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace DfuSharp.Cli.Tests.Adversarial;

/// <summary>
/// The built <c>dfusharp</c> running as a child process, for what only a real process shows: signals, exit codes set by
/// the runtime, locks held by another process. Its standard error is collected line by line, and a test can wait for
/// a line before it acts (a guard against hanging, not a timing assertion).
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    /// <summary>How long a test waits for an event of the child before it gives up; generous, for loaded CI machines.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly object _gate = new();
    private readonly List<(string Marker, TaskCompletionSource Seen)> _waiters = [];

    private ChildProcess(Process process) => _process = process;

    /// <summary>Gets the process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts <c>dfusharp</c> (the Cli assembly copied beside the tests) in a working folder.</summary>
    public static ChildProcess Start(string workingDirectory, params string[] args)
        => Start(workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>Starts <c>dfusharp</c> with more environment variables.</summary>
    public static ChildProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
        => Start(workingDirectory, environment, [], args);

    /// <summary>Starts <c>dfusharp</c> through a launcher (for example <c>setpriv</c> to run as another user).</summary>
    public static ChildProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, string[] launcher, params string[] args)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet";
        var info = new ProcessStartInfo(launcher.Length > 0 ? launcher[0] : host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in launcher.Skip(1).Append(host).Skip(launcher.Length > 0 ? 0 : 1))
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DfuSharp.Cli.dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["CI"] = "1";
        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        var child = new ChildProcess(new Process { StartInfo = info });
        child._process.OutputDataReceived += (_, e) => child.Received(child._stdout, e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Received(child._stderr, e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until standard error has a line containing the marker.</summary>
    public async Task WaitForStderrAsync(string marker)
    {
        TaskCompletionSource seen;
        lock (_gate)
        {
            if (_stderr.ToString().Contains(marker, StringComparison.Ordinal))
            {
                return;
            }

            seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((marker, seen));
        }

        Task exited = _process.WaitForExitAsync();
        Task first = await Task.WhenAny(seen.Task, exited).WaitAsync(Patience);
        first.Should().BeSameAs(seen.Task, $"dfusharp must print \"{marker}\" before it exits; it printed:\n{Stderr}");
    }

    /// <summary>Sends a POSIX signal (SIGINT 2, SIGHUP 1, SIGTERM 15).</summary>
    public void Signal(int signal) => Kill(_process.Id, signal).Should().Be(0, "kill(2) must deliver the signal");

    /// <summary>Waits for the exit and returns what the process did.</summary>
    public async Task<CliRun> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Patience);
        _process.WaitForExit();
        lock (_gate)
        {
            return new CliRun(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
        }
    }

    /// <summary>Gets what standard error has so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Received(StringBuilder into, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            into.AppendLine(line);
            string text = _stderr.ToString();
            foreach (var waiter in _waiters.Where(w => text.Contains(w.Marker, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
