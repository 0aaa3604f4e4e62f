using System.Runtime.InteropServices;

using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        bool interactive = !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        var context = new CliContext(Console.Out, Console.Error, interactive)
        {
            LogLevelVariable = Environment.GetEnvironmentVariable(CliLogging.VariableName),
        };
        using var signals = new SignalCancellation(Console.Error);

        // Started under the name dfu-util, the whole command line is dfu-util's (a rig switches by the program name).
        string[] arguments = Commands.DfuUtil.DfuUtilInvocation.Arguments(args, Commands.DfuUtil.DfuUtilInvocation.CurrentProgramPath());
        int exitCode = await CliApp.RunAsync(arguments, context, signals.Token).ConfigureAwait(false);
        return signals.ExitCode(exitCode);
    }
}

/// <summary>
/// Turns SIGINT (Ctrl+C), SIGTERM (<c>kill</c>, <c>docker stop</c>, CI runners) and SIGHUP (a closed terminal) into one
/// cancellation: the running command stops through its token, the library returns the device to dfuIDLE, the
/// simulated state is saved, and the process exits with 128 + the signal's number. A later signal does not kill the
/// process during that clean-up, which is bounded: it says what the process waits for.
/// </summary>
internal sealed class SignalCancellation : IDisposable
{
    /// <summary>How long the clean-up may take after a second signal before the process exits anyway.</summary>
    /// <remarks>The library bounds the abort to a few seconds (one DFU_ABORT and a GETSTATUS, each with a USB timeout).</remarks>
    public static readonly TimeSpan CleanupLimit = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _cancellation = new();
    private readonly TextWriter _error;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private Timer? _deadline;
    private int _signal;
    private int _count;

    public SignalCancellation(TextWriter error)
    {
        _error = error;
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // Windows has no SIGHUP to a console process in every host; the others still cancel.
            }
        }
    }

    /// <summary>Gets the token the running command observes.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>
    /// Gets the process exit code: a cancellation caused by a signal ends with 128 + that signal's number (130 for
    /// SIGINT, 143 for SIGTERM, 129 for SIGHUP), whatever the command returned.
    /// </summary>
    public int ExitCode(int commandExitCode)
        => Volatile.Read(ref _signal) is var signal and > 0 && commandExitCode == ExitCodes.Cancelled
            ? ExitCodes.SignalBase + signal
            : commandExitCode;

    /// <summary>Gets the number a signal has on Linux and macOS, which exit codes use.</summary>
    internal static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => 15,
        _ => 2,
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        _deadline?.Dispose();
        _cancellation.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The process never dies from the signal itself: the command is cancelled and exits through its clean-up.
        context.Cancel = true;
        if (Interlocked.Increment(ref _count) == 1)
        {
            Volatile.Write(ref _signal, Number(context.Signal));
            _error.WriteLine($"dfusharp: {context.Signal}: cancelling");
            _cancellation.Cancel();
            return;
        }

        _error.WriteLine(
            $"dfusharp: cancelling: waiting for the device to return to dfuIDLE and the state to be saved (at most {CleanupLimit.TotalSeconds:0} s)");
        _deadline ??= new Timer(_ => Environment.Exit(ExitCodes.SignalBase + Volatile.Read(ref _signal)), null, CleanupLimit, Timeout.InfiniteTimeSpan);
    }
}
