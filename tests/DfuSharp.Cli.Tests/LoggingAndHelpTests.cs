using System.CommandLine;

using DfuSharp.Cli.Infrastructure;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DfuSharp.Cli.Tests;

public sealed class LoggingAndHelpTests
{
    [Theory]
    [InlineData(null, LogLevel.None)]
    [InlineData(null, LogLevel.Information, "-v")]
    [InlineData(null, LogLevel.Debug, "-v", "--verbose")]
    [InlineData(null, LogLevel.Trace, "-v", "-v", "-v")]
    [InlineData(null, LogLevel.Trace, "-vvv")]
    [InlineData(null, LogLevel.Trace, "-v", "-v", "-v", "-v")]
    [InlineData(null, LogLevel.Warning, "--log-level", "warning", "-v")]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("Trace", LogLevel.Trace)]
    [InlineData("debug", LogLevel.Information, "-v")]
    [InlineData("trace", LogLevel.Error, "--log-level", "error")]
    public void Resolve_OptionsAndVariable_GiveLevel(string? variable, LogLevel expected, params string[] options)
    {
        ParseResult parse = Parse(["list", .. options]);

        parse.Errors.Should().BeEmpty();
        CliLogging.Resolve(parse, variable).Should().Be(expected);
    }

    [Fact]
    public void Resolve_EmulateWithItsOwnVerbose_DoesNotLogTheLibrary()
        => CliLogging.Resolve(Parse(["emulate", "-v", "--", "lsusb"]), null).Should().Be(LogLevel.None);

    [Fact]
    public void Resolve_VariableNamesNoLevel_IsUsageError()
    {
        var resolve = () => CliLogging.Resolve(Parse(["list"]), "loud");

        resolve.Should().Throw<CliException>().Which.ExitCode.Should().Be(ExitCodes.Usage);
    }

    [Fact]
    public async Task Info_VerboseThreeTimes_LogsSetupPacketsAndStatusBytesToStandardError()
    {
        var (run, levels) = await RunLoggedAsync(null, "info", "-d", "sim:stm32f4", "-v", "-v", "-v");

        run.ExitCode.Should().Be(0, run.ToString());
        levels.Should().Equal(LogLevel.Trace);
        run.Stderr.Should().Contain("GetStatus setup A1 03 0000 0000 0006").And.Contain("GETSTATUS OK, dfuIDLE");
        run.Stdout.Should().NotContain("setup");
    }

    [Fact]
    public async Task Info_JsonWithTrace_StandardOutputIsOneObjectAndLogsGoToStandardError()
    {
        var (run, _) = await RunLoggedAsync(null, "info", "-d", "sim:stm32f4", "--json", "--log-level", "trace");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Json().ValueKind.Should().Be(System.Text.Json.JsonValueKind.Object);
        run.Stderr.Should().Contain("GETSTATUS");
    }

    [Fact]
    public async Task Info_VariableSetsDebug_LogsStateChangesButNoPackets()
    {
        var (run, levels) = await RunLoggedAsync("debug", "info", "-d", "sim:stm32f4");

        run.ExitCode.Should().Be(0, run.ToString());
        levels.Should().Equal(LogLevel.Debug);
        run.Stderr.Should().Contain("dfuIDLE").And.NotContain("setup A1");
    }

    [Fact]
    public async Task Info_NoLoggingAsked_CreatesNoLogger()
    {
        var (run, levels) = await RunLoggedAsync(null, "info", "-d", "sim:stm32f4");

        run.ExitCode.Should().Be(0, run.ToString());
        levels.Should().BeEmpty();
        run.Stderr.Should().BeEmpty();
    }

    [Fact]
    public void CreateConsole_Trace_EnablesTraceAndNoneIsTheNullFactory()
    {
        using ILoggerFactory factory = CliLogging.CreateConsole(LogLevel.Trace);

        factory.CreateLogger("DfuSharp.Protocol").IsEnabled(LogLevel.Trace).Should().BeTrue();
        CliLogging.CreateConsole(LogLevel.None).Should().BeSameAs(NullLoggerFactory.Instance);
    }

    [Fact]
    public async Task Help_Root_NamesDfuSharpAndListsLoggingOptions()
    {
        var run = await CliRunner.RunAsync("--help");

        run.ExitCode.Should().Be(0);
        run.Stdout.Should().Contain("Usage:" + Environment.NewLine + "  dfusharp [command] [options]")
            .And.Contain("-v, --verbose").And.Contain("--log-level <LEVEL>");
        run.Stdout.Should().NotContain(RootCommand.ExecutableName + " ");
    }

    [Fact]
    public async Task Help_Subcommand_UsageStartsWithDfuSharp()
    {
        var run = await CliRunner.RunAsync("file", "convert", "--help");

        run.Stdout.Should().Contain("  dfusharp file convert <IN> <OUT> [options]");
    }

    [Fact]
    public async Task Help_EveryCommand_PlaceholdersAreUpperCase()
    {
        RootCommand root = CliApp.CreateRootCommand(new CliContext(TextWriter.Null, TextWriter.Null));
        // `dfusharp dfu-util --help` prints dfu-util 0.11's own option table, placeholders and all, for rig scripts.
        foreach (string[] path in Paths(root, []).Where(p => p is not ["dfu-util", ..]))
        {
            var run = await CliRunner.RunAsync([.. path, "--help"]);

            run.Stdout.Should().MatchRegex("Usage:", string.Join(' ', path));
            run.Stdout.Should().NotMatchRegex("<[a-z][a-z-]*>", string.Join(' ', path));
        }
    }

    [Fact]
    public async Task Suggest_CommandLineAsDotnetSuggestPassesIt_CompletesSubcommand()
    {
        var run = await CliRunner.RunAsync("[suggest:11]", "dfusharp fi");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Split(Environment.NewLine).Should().Contain("file");
    }

    [Fact]
    public async Task Suggest_FileSubcommand_CompletesConvertAndPack()
    {
        var run = await CliRunner.RunAsync("[suggest:15]", "dfusharp file c");

        run.Stdout.Split(Environment.NewLine).Should().Contain("convert");
    }

    [Theory]
    [InlineData("010", 8)]
    [InlineData("0x10", 16)]
    [InlineData("10", 10)]
    public async Task Convert_AddressAsDfuUtilReadsIt_PlacesTheBinary(string address, int expected)
    {
        using var dir = new TempDir();
        string input = dir.Write("app.bin", [0xAA]);
        string output = dir.File("app.hex");

        var run = await CliRunner.RunAsync("file", "convert", input, output, "--address", address);

        run.ExitCode.Should().Be(0, run.ToString());
        DfuSharp.Formats.IntelHex.Read(File.ReadAllBytes(output)).Image.StartAddress.Should().Be((uint)expected);
    }

    [Fact]
    public async Task Convert_LeadingZeroWithDigitNine_IsUsageError()
    {
        var run = await CliRunner.RunAsync("file", "convert", "in.bin", "out.hex", "--address", "09");

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Stderr.Should().Contain("--address: '09'");
    }

    [Fact]
    public void NameRoot_UsageLine_ReplacesOnlyTheRootName()
        => CliHelp.NameRoot("Usage:\n  testhost file <in> [options]\n  testhostx\nsee testhost\n", "testhost", "dfusharp")
            .Should().Be("Usage:\n  dfusharp file <IN> [options]\n  testhostx\nsee testhost\n");

    private static ParseResult Parse(string[] args)
        => CliApp.CreateRootCommand(new CliContext(TextWriter.Null, TextWriter.Null)).Parse(args);

    private static IEnumerable<string[]> Paths(Command command, string[] prefix)
    {
        foreach (Command sub in command.Subcommands.Where(c => !c.Hidden))
        {
            string[] path = [.. prefix, sub.Name];
            yield return path;
            foreach (string[] deeper in Paths(sub, path))
            {
                yield return deeper;
            }
        }
    }

    private static async Task<(CliRun Run, List<LogLevel> Levels)> RunLoggedAsync(string? variable, params string[] args)
    {
        var sim = new SimCli();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var levels = new List<LogLevel>();
        var context = new CliContext(stdout, stderr)
        {
            Devices = sim.Environment,
            LogLevelVariable = variable,
            CreateLoggerFactory = level =>
            {
                levels.Add(level);
                return LoggerFactory.Create(b => b.SetMinimumLevel(level).AddProvider(new WriterLoggerProvider(stderr)));
            },
        };
        int code = await CliApp.RunAsync(args, context);
        return (new CliRun(code, stdout.ToString(), stderr.ToString()), levels);
    }

    /// <summary>Writes each log line to a writer, as the console logger writes to standard error.</summary>
    private sealed class WriterLoggerProvider(TextWriter writer) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new WriterLogger(writer, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class WriterLogger(TextWriter writer, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (writer)
            {
                writer.WriteLine($"{logLevel}: {category}[{eventId.Id}] {formatter(state, exception)}");
            }
        }
    }
}
