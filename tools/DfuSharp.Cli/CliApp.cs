using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.Json;

using DfuSharp.Cli.Commands;
using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;

using Microsoft.Extensions.Logging;

namespace DfuSharp.Cli;

/// <summary>
/// The <c>dfusharp</c> command line, runnable in process: <see cref="Program"/> calls it with the console, tests call
/// it with string writers. It parses, runs the command, and turns every failure into an exit code and a message
/// through <see cref="CliErrors"/>.
/// </summary>
internal static class CliApp
{
    /// <summary>Runs <c>dfusharp</c> with these arguments.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where diagnostics go.</param>
    /// <param name="cancellationToken">Cancels the running command (Ctrl+C); the exit code is then 130.</param>
    /// <returns>The process exit code, one of <see cref="ExitCodes"/>.</returns>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken = default)
        => RunAsync(args, new CliContext(stdout, stderr), cancellationToken);

    /// <summary>Runs <c>dfusharp</c> with these arguments and this console.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="context">Where output goes, and whether a person watches it.</param>
    /// <param name="cancellationToken">Cancels the running command (Ctrl+C); the exit code is then 130.</param>
    /// <returns>The process exit code, one of <see cref="ExitCodes"/>.</returns>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        TextWriter stdout = context.Out;
        TextWriter stderr = context.Error;
        args = DeviceOptionSet.BareWait(args);

        RootCommand root = CreateRootCommand(context);
        ParseResult parseResult = root.Parse(args);

        if (parseResult.Action is ParseErrorAction)
        {
            // "With --json, stdout holds exactly one object" holds for a command line that does not parse, too.
            if (args.Contains(CliOptions.JsonName, StringComparer.Ordinal))
            {
                string message = string.Join("; ", parseResult.Errors.Select(e => e.Message));
                stdout.WriteLine(JsonSerializer.Serialize(new ErrorJson(message), CliJson.Context.ErrorJson));
            }

            foreach (var error in parseResult.Errors)
            {
                stderr.WriteLine($"dfusharp: {error.Message}");
            }

            stderr.WriteLine($"Try '{CommandPath(parseResult)} --help' for more information.");
            return ExitCodes.Usage;
        }

        // What System.CommandLine prints itself (help, version, [suggest] completions) names the root as the assembly;
        // it reaches stdout with the root named dfusharp.
        using var systemOutput = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        var configuration = new InvocationConfiguration
        {
            Output = systemOutput,
            Error = stderr,
            EnableDefaultExceptionHandler = false,

            // Program installs its own Ctrl+C handler, which cancels the token passed in here.
            ProcessTerminationTimeout = null,
        };

        // With --json, stdout holds exactly one object: the command writes into a buffer that reaches stdout only when
        // the command has finished, clean-up (saving --sim-state) included. A failure after the result was written
        // replaces it with the error object.
        bool json = WantsJson(parseResult);
        using var buffered = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        ILoggerFactory? loggerFactory = null;
        try
        {
            // The library logs to standard error only, through the factory the devices are opened with; disposing it
            // flushes the queued lines before the result or the error is printed.
            LogLevel level = CliLogging.Resolve(parseResult, context.LogLevelVariable);
            if (level != LogLevel.None || json)
            {
                loggerFactory = level == LogLevel.None ? null : context.CreateLoggerFactory(level);
                CliContext commandContext = context with
                {
                    Out = json ? buffered : stdout,
                    Devices = loggerFactory is null ? context.Devices : context.Devices with { LoggerFactory = loggerFactory },
                };
                parseResult = CreateRootCommand(commandContext).Parse(args);
            }

            cancellationToken.ThrowIfCancellationRequested();
            CheckSimStateIsNotAFileOfTheCommand(parseResult);
            int exitCode = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            FlushLog(ref loggerFactory);
            stdout.Write(CliHelp.NameRoot(systemOutput.ToString(), root.Name, Name));
            if (json)
            {
                stdout.Write(buffered.ToString());
            }

            return exitCode;
        }
        catch (Exception ex)
        {
            FlushLog(ref loggerFactory);
            CliError error = CliErrors.Map(ex);
            if (json)
            {
                stdout.WriteLine(JsonSerializer.Serialize(new ErrorJson(error.ToJsonMessage()), CliJson.Context.ErrorJson));
            }
            else if (WantsJsonLines(parseResult))
            {
                // A stream of JSON lines ends with a line that says how the run ended, also when it ended before any board.
                stdout.WriteLine(JsonSerializer.Serialize(new ErrorLineJson("error", error.ToJsonMessage(), error.ExitCode), CliJson.Lines.ErrorLineJson));
            }

            stderr.WriteLine(error.ToDiagnostic());
            if (error.ExitCode == ExitCodes.Software)
            {
                // A defect: where it happened helps the report, and standard error is the place for it.
                stderr.WriteLine(ex.ToString());
            }

            return error.ExitCode;
        }
    }

    private static void FlushLog(ref ILoggerFactory? loggerFactory)
    {
        loggerFactory?.Dispose();
        loggerFactory = null;
    }

    /// <summary>
    /// Refuses a <c>--sim-state</c> file that is also one of the command's own files (its output, backup or input):
    /// saving the state after the command would overwrite what the command wrote, or the state would be read as firmware.
    /// </summary>
    /// <exception cref="CliException">The state file is also a file of the command (exit 64).</exception>
    internal static void CheckSimStateIsNotAFileOfTheCommand(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        CommandResult command = parseResult.CommandResult;
        if (command.Children.OfType<OptionResult>().FirstOrDefault(o => o.Option.Name == "--sim-state") is not { Tokens: [.., var stateToken] })
        {
            return;
        }

        string state = CliFiles.ResolveTarget(stateToken.Value);
        foreach (SymbolResult child in command.Children)
        {
            if (child is OptionResult { Option.Name: "--sim-state" })
            {
                continue;
            }

            foreach (Token token in child.Tokens)
            {
                if (token.Value.Length > 0 && string.Equals(CliFiles.ResolveTarget(token.Value), state, StringComparison.Ordinal))
                {
                    throw CliException.Usage($"--sim-state {stateToken.Value} is also a file of this command; the saved state would replace it, so give the state its own file");
                }
            }
        }
    }

    /// <summary>The name of the command in help, usage lines and completion scripts.</summary>
    public const string Name = "dfusharp";

    /// <summary>Builds the command tree. Device commands join <c>file</c> here as they arrive.</summary>
    /// <remarks>
    /// The root is a <see cref="RootCommand"/>, so that the <c>[suggest]</c> directive that dotnet-suggest calls for
    /// tab completion works. Its name is that of the running assembly (DfuSharp.Cli, or testhost in tests): what
    /// System.CommandLine prints shows <see cref="Name"/> in its place (<see cref="CliHelp.NameRoot"/>).
    /// </remarks>
    internal static RootCommand CreateRootCommand(CliContext context)
    {
        var root = new RootCommand("Flash, read back and inspect USB DFU 1.1 and ST DfuSe devices and firmware files.")
        {
            CliLogging.Verbose(),
            CliLogging.Level(),
        };
        foreach (Command command in DeviceCommands.Create(context))
        {
            root.Add(command);
        }

        root.Add(FileCommands.Create(context));
        root.Add(SimServeCommand.Create());
        root.Add(DeviceCommands.CreateDfuUtilCommand(context));
        root.Add(Ui.UiCommand.Create(context));
        root.Add(Emulation.EmulateCommand.Create(context));
        CliHelp.UpperCasePlaceholders(root);
        return root;
    }

    private static bool WantsJson(ParseResult parseResult)
        => parseResult.CommandResult.Command.Options.FirstOrDefault(o => o.Name == CliOptions.JsonName) is Option<bool> json
           && parseResult.GetValue(json);

    private static bool WantsJsonLines(ParseResult parseResult)
        => parseResult.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--json-lines") is Option<bool> lines
           && parseResult.GetValue(lines);

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as CommandResult)
        {
            names.Add(result.Command is RootCommand ? Name : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
