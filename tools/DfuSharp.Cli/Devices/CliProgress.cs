using DfuSharp.Cli.Infrastructure;
using Spectre.Console;

namespace DfuSharp.Cli.Devices;

/// <summary>
/// Shows engine progress on standard error: a live bar per phase on a terminal, and plain, throttled lines when the
/// output is redirected or CI is set (a line when a phase starts and at every tenth of it, never one per block).
/// </summary>
internal static class CliProgress
{
    /// <summary>Runs an operation with the progress display that suits the console.</summary>
    public static async Task<T> RunAsync<T>(CliContext context, Func<IProgress<DfuProgress>, Task<T>> operation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(operation);
        if (!context.Interactive)
        {
            return await operation(new PlainProgress(context.Error)).ConfigureAwait(false);
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Error),
            Interactive = InteractionSupport.Yes,
        });
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(ctx => operation(new BarProgress(ctx)))
            .ConfigureAwait(false);
    }

    /// <summary>The phase name used in progress output.</summary>
    public static string PhaseName(DfuPhase phase) => phase.ToString().ToLowerInvariant();

    private static string UnitName(DfuProgressUnit unit) => unit switch
    {
        DfuProgressUnit.Bytes => "bytes",
        DfuProgressUnit.Sectors => "sectors",
        _ => "steps",
    };

    /// <summary>Plain lines: one when a phase starts, then one per tenth completed.</summary>
    internal sealed class PlainProgress(TextWriter error) : IProgress<DfuProgress>
    {
        private DfuPhase? _phase;
        private int _lastTenth = -1;

        public void Report(DfuProgress value)
        {
            if (_phase != value.Phase)
            {
                _phase = value.Phase;
                _lastTenth = -1;
            }

            int tenth = value.Total <= 0 ? 10 : (int)Math.Min(10, value.Completed * 10 / value.Total);
            if (tenth <= _lastTenth)
            {
                return;
            }

            _lastTenth = tenth;
            error.WriteLine($"dfusharp: {PhaseName(value.Phase)}: {tenth * 10,3}% ({value.Completed}/{value.Total} {UnitName(value.Unit)})");
        }
    }

    /// <summary>A Spectre.Console task per phase.</summary>
    private sealed class BarProgress(ProgressContext context) : IProgress<DfuProgress>
    {
        private readonly Dictionary<DfuPhase, ProgressTask> _tasks = [];

        public void Report(DfuProgress value)
        {
            if (!_tasks.TryGetValue(value.Phase, out ProgressTask? task))
            {
                foreach (ProgressTask other in _tasks.Values)
                {
                    other.StopTask();
                }

                task = context.AddTask(PhaseName(value.Phase), autoStart: true, maxValue: Math.Max(1, value.Total));
                _tasks[value.Phase] = task;
            }

            task.MaxValue = Math.Max(1, value.Total);
            task.Value = value.Completed;
            if (value.Completed >= value.Total)
            {
                task.StopTask();
            }
        }
    }
}
