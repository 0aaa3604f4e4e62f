using Microsoft.Extensions.Logging;

namespace DfuSharp.Tests.Support;

/// <summary>One log event: its id, level, formatted message and typed fields.</summary>
internal sealed record LogEvent(int Id, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields);

/// <summary>Records every log event with its typed fields, for tests of what is logged and how.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly List<LogEvent> _events = [];

    public IReadOnlyList<LogEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
            lock (owner._events)
            {
                owner._events.Add(new LogEvent(eventId.Id, logLevel, formatter(state, exception), fields));
            }
        }
    }
}
