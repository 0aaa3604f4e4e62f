using System.Text.Json;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Simulation;

namespace DfuSharp.Cli.Tests;

public sealed class ListWatchTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ListWatch_BoardPluggedAndUnplugged_PrintsArrivedAndLeft()
    {
        var sim = new SimCli();
        sim.Plug("dfu11", "1-1", "A1");
        using var stop = new CancellationTokenSource();
        var output = new LineSignal();
        var context = new CliContext(output, new StringWriter()) { Devices = sim.Environment };
        Task<int> run = CliApp.RunAsync(["list", "--watch"], context, stop.Token);

        await output.WaitForLinesAsync(2).WaitAsync(s_bound);
        SimulatedDfuDevice board = sim.Plug("stm32f4", "1-2", "B2");
        await output.WaitForLinesAsync(2 + 5).WaitAsync(s_bound);
        sim.UsbBus.Unplug(board);
        await output.WaitForLinesAsync(2 + 5 + 5).WaitAsync(s_bound);
        await stop.CancelAsync();

        (await run.WaitAsync(s_bound)).Should().Be(0);
        string[] lines = output.Lines();
        lines[0].Should().StartWith("arrived ").And.Contain("serial \"A1\" at 1-1 (");
        lines[2].Should().StartWith("arrived 0483:df11 ").And.Contain(" at 1-2 (dfu mode");
        lines[3].Should().Be("  intf 0 alt 0: @Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
        lines[7].Should().StartWith("left 0483:df11 ").And.Contain(" at 1-2 (dfu mode");
    }

    [Fact]
    public async Task ListWatch_JsonLines_OneObjectPerChange()
    {
        var sim = new SimCli();
        sim.Plug("stm32f4", "1-2", "B2");
        using var stop = new CancellationTokenSource();
        var output = new LineSignal();
        var context = new CliContext(output, new StringWriter()) { Devices = sim.Environment };
        Task<int> run = CliApp.RunAsync(["list", "--watch", "--json-lines"], context, stop.Token);
        await output.WaitForLinesAsync(1).WaitAsync(s_bound);
        sim.UsbBus.Unplug(sim.UsbBus.Devices[0]);
        await output.WaitForLinesAsync(2).WaitAsync(s_bound);
        await stop.CancelAsync();

        (await run.WaitAsync(s_bound)).Should().Be(0);
        string[] lines = output.Lines();
        lines.Should().HaveCount(2);
        using JsonDocument arrived = JsonDocument.Parse(lines[0]);
        arrived.RootElement.GetProperty("event").GetString().Should().Be("arrived");
        arrived.RootElement.GetProperty("device").GetProperty("path").GetString().Should().Be("1-2");
        arrived.RootElement.GetProperty("device").GetProperty("mode").GetString().Should().Be("dfu");
        arrived.RootElement.GetProperty("alternateSettings").GetArrayLength().Should().Be(4);
        using JsonDocument left = JsonDocument.Parse(lines[1]);
        left.RootElement.GetProperty("event").GetString().Should().Be("left");
        left.RootElement.GetProperty("device").GetProperty("serialNumber").GetString().Should().Be("B2");
    }

    [Fact]
    public async Task List_JsonLinesWithoutWatch_IsAUsageError()
    {
        CliRun run = await new SimCli().RunAsync("list", "--json-lines");
        run.ExitCode.Should().Be(64, run.ToString());
        run.Stderr.Should().Contain("--json-lines applies only to list --watch");
    }

    /// <summary>Standard output that lets a test wait, without a clock, until a number of lines have been written.</summary>
    private sealed class LineSignal : StringWriter
    {
        private readonly Lock _gate = new();
        private readonly List<(int Count, TaskCompletionSource Done)> _waits = [];
        private int _lines;

        public override void Write(char value)
        {
            base.Write(value);
            if (value == '\n')
            {
                lock (_gate)
                {
                    _lines++;
                    foreach (var wait in _waits.Where(w => w.Count <= _lines).ToList())
                    {
                        wait.Done.TrySetResult();
                        _waits.Remove(wait);
                    }
                }
            }
        }

        public override void Write(string? value)
        {
            foreach (char c in value ?? string.Empty)
            {
                Write(c);
            }
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write("\n");
        }

        public Task WaitForLinesAsync(int count)
        {
            lock (_gate)
            {
                if (_lines >= count)
                {
                    return Task.CompletedTask;
                }

                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((count, done));
                return done.Task;
            }
        }

        public string[] Lines()
        {
            lock (_gate)
            {
                return ToString().Split(NewLine, StringSplitOptions.RemoveEmptyEntries);
            }
        }
    }
}
