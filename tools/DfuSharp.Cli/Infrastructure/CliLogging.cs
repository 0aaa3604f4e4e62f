using System.CommandLine;
using System.CommandLine.Parsing;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace DfuSharp.Cli.Infrastructure;

/// <summary>
/// The logging options: <c>-v</c>/<c>--verbose</c> (once Information, twice Debug, three times Trace),
/// <c>--log-level LEVEL</c> and the <c>DFUSHARP_LOG_LEVEL</c> variable choose how much of the library's log reaches
/// standard error. Trace shows every setup packet and GETSTATUS reply, as <c>dfu-util -v -v -v</c> does. Logs never go
/// to standard output, so <c>--json</c> output stays one object.
/// </summary>
internal static class CliLogging
{
    /// <summary>The variable that sets the level when no option does.</summary>
    public const string VariableName = "DFUSHARP_LOG_LEVEL";

    /// <summary>The name of the repeatable verbosity option.</summary>
    public const string VerboseName = "--verbose";

    /// <summary>The name of the option that names a level.</summary>
    public const string LogLevelName = "--log-level";

    private static readonly string[] s_levelNames = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    /// <summary>Creates <c>-v</c>/<c>--verbose</c>, which every command accepts and which may be repeated.</summary>
    public static Option<bool> Verbose() => new(VerboseName, "-v")
    {
        Description = "Log to standard error: once for each operation, twice for state changes, three times for every USB request (-v -v -v).",
        Recursive = true,
        Arity = ArgumentArity.Zero,
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>Creates <c>--log-level LEVEL</c>, which every command accepts.</summary>
    public static Option<string> Level()
    {
        var option = new Option<string>(LogLevelName)
        {
            Description = $"Log to standard error from this level on: {string.Join(", ", s_levelNames)}. Overrides -v and {VariableName}.",
            HelpName = "LEVEL",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong(s_levelNames);
        return option;
    }

    /// <summary>
    /// Gets the level a command line asks for: <c>--log-level</c> first, then the number of <c>-v</c>, then
    /// <paramref name="variable"/> (the value of <c>DFUSHARP_LOG_LEVEL</c>); <see cref="LogLevel.None"/> when none does.
    /// </summary>
    /// <exception cref="CliException">The variable names no level (exit 64).</exception>
    public static LogLevel Resolve(ParseResult parseResult, string? variable)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        if (parseResult.GetResult(LogLevelName) is OptionResult { Tokens: [.., var level] })
        {
            return Parse(level.Value) ?? LogLevel.None;
        }

        // Counted on the root's option only: a command with a -v of its own (emulate) keeps it.
        int verbose = parseResult.RootCommandResult.Command.Options.FirstOrDefault(o => o.Name == VerboseName) is { } option
            && parseResult.GetResult(option) is OptionResult result
            ? result.IdentifierTokenCount
            : 0;
        if (verbose > 0)
        {
            return verbose switch
            {
                1 => LogLevel.Information,
                2 => LogLevel.Debug,
                _ => LogLevel.Trace,
            };
        }

        if (string.IsNullOrWhiteSpace(variable))
        {
            return LogLevel.None;
        }

        return Parse(variable.Trim())
            ?? throw CliException.Usage($"{VariableName}={variable} is not a log level; use one of {string.Join(", ", s_levelNames)}");
    }

    /// <summary>Parses a level name (case-insensitive; <c>info</c> and <c>warn</c> also work), or gives <see langword="null"/>.</summary>
    public static LogLevel? Parse(string text) => text.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "information" or "info" => LogLevel.Information,
        "warning" or "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        "none" => LogLevel.None,
        _ => null,
    };

    /// <summary>
    /// Creates the factory the library logs through: the console logger writing every level to standard error, one line
    /// per message, or <see cref="NullLoggerFactory"/> for <see cref="LogLevel.None"/>. The caller disposes it, which
    /// flushes the lines still queued.
    /// </summary>
    public static ILoggerFactory CreateConsole(LogLevel level)
        => level == LogLevel.None
            ? NullLoggerFactory.Instance
            : LoggerFactory.Create(builder => builder
                .SetMinimumLevel(level)
                .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace)
                .AddSimpleConsole(options =>
                {
                    options.SingleLine = true;
                    options.IncludeScopes = false;
                    options.TimestampFormat = "HH:mm:ss.fff ";
                    options.UseUtcTimestamp = true;
                }));
}
