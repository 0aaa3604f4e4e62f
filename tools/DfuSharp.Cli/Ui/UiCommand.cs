using System.CommandLine;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Simulation;
using DfuSharp.Usb;
using Microsoft.Extensions.Logging;
using Terminal.Gui.App;

namespace DfuSharp.Cli.Ui;

/// <summary><c>dfusharp ui</c>: the demonstrator, a full-screen terminal application built on the public library API.</summary>
internal static class UiCommand
{
    public static Command Create(CliContext context)
    {
        var device = new Option<string?>("--device", "-d")
        {
            Description = "sim:PROFILE shows a simulated board (and no real ones); without it, every DFU board on the bus.",
        };
        var file = new Option<string?>("--file", "-f") { Description = "The firmware the upgrade pane starts with.", HelpName = "FILE" };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "The lowest level shown in the log pane at the start (the pane's Log level button changes it).",
            DefaultValueFactory = _ => LogLevel.Information,
        };
        var command = new Command("ui", "The demonstrator: boards (live), properties, upgrade with backup and verify, progress, abort, log. q or F10 quits.")
        {
            device, file, logLevel,
        };
        command.SetAction(async (parse, ct) =>
        {
            IUsbDeviceProvider provider = CreateProvider(context, parse.GetValue(device));
            try
            {
                await RunAsync(provider, context.Devices.DeviceOptions, parse.GetValue(file), parse.GetValue(logLevel), ct).ConfigureAwait(false);
            }
            finally
            {
                (provider as IDisposable)?.Dispose();
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static IUsbDeviceProvider CreateProvider(CliContext context, string? device)
    {
        if (device is null)
        {
            return context.Devices.CreateUsbDeviceProvider();
        }

        if (!device.StartsWith("sim:", StringComparison.Ordinal))
        {
            throw CliException.Usage($"--device {device}: the demonstrator takes sim:PROFILE; real boards are all shown without --device");
        }

        SimulatedDeviceProfile profile;
        try
        {
            profile = SimulatedProfiles.Get(device["sim:".Length..]);
        }
        catch (ArgumentException)
        {
            throw new DfuDeviceNotFoundException(
                $"No simulated device \"{device["sim:".Length..]}\"; known profiles: {string.Join(", ", SimulatedProfiles.Names)}.");
        }

        return context.Devices.CreateSimulatedBus(profile, context.Devices.TimeProvider);
    }

    private static async Task RunAsync(IUsbDeviceProvider provider, DfuDeviceOptions options, string? firmware, LogLevel level, CancellationToken cancellationToken)
    {
        IApplication app = Application.Create();
        app.Init();
        try
        {
            DemoWindow? window = null;
            using var logging = new UiLoggerProvider(line => app.Invoke(() => window?.AppendLog(line))) { MinimumLevel = level };
            var boards = new DemoBoards(provider);
            window = new DemoWindow(boards, options with { LoggerFactory = logging }, firmware, action => app.Invoke(action), logging);
            using (window)
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

                // Ctrl+C from the CLI's handler closes the window like q does.
                using CancellationTokenRegistration closing = cancellationToken.Register(() => app.Invoke(() => app.RequestStop()));
                Task watching = boards.WatchAsync(stop.Token);
                app.Run(window);
                await stop.CancelAsync().ConfigureAwait(false);
                if (window.Running is { } running)
                {
                    await running.ConfigureAwait(false);
                }

                await watching.ConfigureAwait(false);
            }
        }
        finally
        {
            (app as IDisposable)?.Dispose();
        }
    }
}
