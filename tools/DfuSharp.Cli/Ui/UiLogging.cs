using Microsoft.Extensions.Logging;

namespace DfuSharp.Cli.Ui;

/// <summary>
/// Feeds the library's logs to the demonstrator's log pane: an <see cref="ILoggerProvider"/> (and the small factory
/// around it that <see cref="DfuDeviceOptions.LoggerFactory"/> takes), with the level chosen in the UI.
/// </summary>
internal sealed class UiLoggerProvider(Action<string> write) : ILoggerProvider, ILoggerFactory
{
    /// <summary>Gets or sets the lowest level shown.</summary>
    public LogLevel MinimumLevel { get; set; } = LogLevel.Information;

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new PaneLogger(this, categoryName);

    /// <inheritdoc/>
    public void AddProvider(ILoggerProvider provider)
    {
        // The pane is the only sink.
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // Nothing is held.
    }

    private sealed class PaneLogger(UiLoggerProvider owner, string category) : ILogger
    {
        private readonly string _category = category[(category.LastIndexOf('.') + 1)..];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write($"{Short(logLevel)} {_category}: {formatter(state, exception)}");
            }
        }

        private static string Short(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }

    private void Write(string line) => write(line);
}
