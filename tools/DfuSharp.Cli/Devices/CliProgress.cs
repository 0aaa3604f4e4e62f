using System.Globalization;

using DfuSharp.Cli.Infrastructure;

using Spectre.Console;
using Spectre.Console.Rendering;

namespace DfuSharp.Cli.Devices;

/// <summary>
/// Shows engine progress on standard error: on a terminal, a live bar for the whole operation (its overall fraction and
/// the time left, from <see cref="DfuProgress.OverallFraction"/> and <see cref="DfuProgress.TimeLeft"/>) above a bar
/// per phase; plain, throttled lines when the output is redirected or CI is set (a line when a phase starts and at
/// every tenth of it, never one per block). Both show the amount done, for bytes the rate in KB/s (1000 bytes), the
/// time the phase has taken, and the overall fraction and time left when the engine reports them.
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
            return await operation(new PlainProgress(context.Error, context.Devices.TimeProvider)).ConfigureAwait(false);
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Error),
            Interactive = InteractionSupport.Yes,
        });
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new AmountColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
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

    /// <summary>
    /// Gets the plain progress text of a report after the percentage: <c>(524288/1048576 bytes) 128.0 KB/s, 00:04 elapsed</c>
    /// (the rate only for bytes and once time has passed), or <c>(3/8 sectors) 00:01 elapsed</c>; then, when the report
    /// carries the whole operation's figures, <c>; overall 37%, 00:12 left</c> (the time left once it is known).
    /// </summary>
    internal static string Amount(DfuProgress value, TimeSpan elapsed)
    {
        string rate = value.Unit == DfuProgressUnit.Bytes && elapsed > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{value.Completed / 1000.0 / elapsed.TotalSeconds:0.0} KB/s, ")
            : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"({value.Completed}/{value.Total} {UnitName(value.Unit)}) {rate}{Elapsed(elapsed)} elapsed{Overall(value)}");
    }

    /// <summary>Gets <c>; overall 37%, 00:12 left, pacing hold</c> (the pacing of GETSTATUS in use, when the report
    /// carries it), or nothing for a report without the overall figures.</summary>
    internal static string Overall(DfuProgress value)
    {
        if (value.OverallFraction <= 0 && value.TimeLeft is null)
        {
            return string.Empty;
        }

        string left = value.TimeLeft is { } t ? $", {Elapsed(t)} left" : string.Empty;
        string pacing = value.Pacing is { } paced ? $", pacing {paced.ToString().ToLowerInvariant()}" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"; overall {Math.Floor(value.OverallFraction * 100):0}%{left}{pacing}");
    }

    private static string Elapsed(TimeSpan elapsed)
        => elapsed.TotalHours >= 1 ? elapsed.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : elapsed.ToString(@"mm\:ss", CultureInfo.InvariantCulture);

    /// <summary>Plain lines: one when a phase starts, then one per tenth completed.</summary>
    internal sealed class PlainProgress(TextWriter error, TimeProvider time) : IProgress<DfuProgress>
    {
        private DfuPhase? _phase;
        private int _lastTenth = -1;
        private long _started;

        public void Report(DfuProgress value)
        {
            if (_phase != value.Phase)
            {
                _phase = value.Phase;
                _lastTenth = -1;
                _started = time.GetTimestamp();
            }

            int tenth = value.Total <= 0 ? 10 : (int)Math.Min(10, value.Completed * 10 / value.Total);
            if (tenth <= _lastTenth)
            {
                return;
            }

            _lastTenth = tenth;
            error.WriteLine($"dfusharp: {PhaseName(value.Phase)}: {tenth * 10,3}% {Amount(value, time.GetElapsedTime(_started))}");
        }
    }

    /// <summary>A Spectre.Console task for the whole operation (overall fraction, time left), and one per phase.</summary>
    private sealed class BarProgress(ProgressContext context) : IProgress<DfuProgress>
    {
        private const double OverallScale = 1000;
        private readonly Dictionary<DfuPhase, ProgressTask> _tasks = [];
        private ProgressTask? _overall;

        public void Report(DfuProgress value)
        {
            if (value.OverallFraction > 0 || value.TimeLeft is not null)
            {
                _overall ??= context.AddTask("overall", autoStart: true, maxValue: OverallScale);
                _overall.Value = Math.Max(_overall.Value, value.OverallFraction * OverallScale);
                string paced = value.Pacing is { } pacing ? $", pacing {pacing.ToString().ToLowerInvariant()}" : string.Empty;
                _overall.Description = (value.TimeLeft is { } left ? $"overall, {Elapsed(left)} left" : "overall") + paced;
                _overall.State.Update<DfuProgressUnit>(AmountColumn.UnitKey, _ => DfuProgressUnit.Steps);
                _overall.State.Update<bool>(AmountColumn.OverallKey, _ => true);
                if (value.OverallFraction >= 1)
                {
                    _overall.StopTask();
                }
            }

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
            task.State.Update<DfuProgressUnit>(AmountColumn.UnitKey, _ => value.Unit);
            if (value.Completed >= value.Total)
            {
                task.StopTask();
            }
        }
    }

    /// <summary>The amount done, with the rate for bytes: the part of <see cref="Amount"/> the bar does not show already.</summary>
    private sealed class AmountColumn : ProgressColumn
    {
        public const string UnitKey = "unit";
        public const string OverallKey = "overall";

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            if (task.State.Get<bool>(OverallKey))
            {
                return new Text(string.Empty);
            }

            DfuProgressUnit unit = task.State.Get<DfuProgressUnit>(UnitKey);
            string amount = string.Create(CultureInfo.InvariantCulture, $"{task.Value:0}/{task.MaxValue:0} {UnitName(unit)}");
            if (unit == DfuProgressUnit.Bytes && task.Speed is { } speed)
            {
                amount += string.Create(CultureInfo.InvariantCulture, $" {speed / 1000:0.0} KB/s");
            }

            return new Text(amount);
        }
    }
}
