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
        var ascii = new Option<bool>("--ascii")
        {
            Description = "Plain ASCII: no box-drawing or other Unicode glyphs (the default when the locale is not UTF-8).",
        };
        var hid = new Option<string[]>("--hid")
        {
            Description = "List this HID application as a HID-detach board (ST's VID 0x0483 is listed without it); repeatable.",
            HelpName = "VID:PID",
        };
        var command = new Command("ui", "The demonstrator: boards (live), properties, upgrade with backup and verify, erase, file generator, progress, abort, log. q or F10 quits.")
        {
            device, file, logLevel, ascii, hid,
        };
        command.SetAction(async (parse, ct) =>
        {
            var hidIds = (parse.GetValue(hid) ?? []).Select(ParseHidId).ToArray();
            bool plain = parse.GetValue(ascii) || !DemoGlyphs.LocaleIsUtf8(Environment.GetEnvironmentVariable, OperatingSystem.IsWindows());
            IUsbDeviceProvider provider = CreateProvider(context, parse.GetValue(device));
            try
            {
                var boards = new DemoBoards(provider, hidIds);
                await RunAsync(boards, context.Devices.DeviceOptions, parse.GetValue(file), parse.GetValue(logLevel), plain, ct).ConfigureAwait(false);
            }
            finally
            {
                (provider as IDisposable)?.Dispose();
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static (ushort VendorId, ushort ProductId) ParseHidId(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && ushort.TryParse(text[..colon], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out ushort vid)
            && ushort.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out ushort pid)
            ? (vid, pid)
            : throw CliException.Usage($"--hid {text}: give VID:PID in hex, for example 0483:5750");
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

    private static async Task RunAsync(DemoBoards boards, DfuDeviceOptions options, string? firmware, LogLevel level, bool ascii, CancellationToken cancellationToken)
    {
        IApplication app = Application.Create();
        app.Init();
        using IDisposable? glyphs = ascii ? DemoGlyphs.UseAscii() : null;
        try
        {
            DemoWindow? window = null;
            using var logging = new UiLoggerProvider(line => app.Invoke(() => window?.AppendLog(line))) { MinimumLevel = level };
            window = new DemoWindow(boards, options with { LoggerFactory = logging }, firmware, action => app.Invoke(action), logging);
            using (window)
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

                // Ctrl+C from the CLI's handler closes the window like q does.
                using CancellationTokenRegistration closing = cancellationToken.Register(() => app.Invoke(() => app.RequestStop()));
                app.Keyboard.KeyDown += (_, key) => window.HandleQuitKey(key);
                Task watching = boards.WatchAsync(stop.Token);
                app.Run(window);
                await stop.CancelAsync().ConfigureAwait(false);
                await window.WhenIdle().ConfigureAwait(false);

                await watching.ConfigureAwait(false);
            }
        }
        finally
        {
            (app as IDisposable)?.Dispose();
        }
    }
}
