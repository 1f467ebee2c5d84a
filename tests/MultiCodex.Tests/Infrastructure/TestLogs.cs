using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// Every log line of every app the tests start, in one place: the in-process hosts (<see cref="ControlHost"/>,
/// <see cref="EdgeHost"/>) log into it through <see cref="Provider"/>, child processes (<see cref="AppProcess"/>) through
/// their output. Suites query it for what spans a whole scenario: no secret in any line (<see cref="SecretScan"/>), no
/// unhandled exception, nothing at error level where nothing went wrong.
/// </summary>
public static partial class TestLogs
{
    private static readonly ConcurrentQueue<LogLine> Lines = new();
    private static readonly List<(Func<LogLine, bool> Matches, TaskCompletionSource<LogLine> Found)> Waiters = [];
    private static int _nextSource;

    /// <summary>One log line: which app instance wrote it, its category, level, event id, text and exception.</summary>
    public sealed record LogLine(string Source, string Category, LogLevel Level, int EventId, string Message, string? Exception)
    {
        /// <summary>The whole line as a person would read it (message, then the exception with its stack).</summary>
        public string Text => Exception is null ? Message : Message + "\n" + Exception;

        public override string ToString() => $"[{Source}] {Level} {Category}[{EventId}]: {Text}";
    }

    /// <summary>A new name for one app instance, such as <c>control#3</c>.</summary>
    public static string NewSource(string app) => $"{app}#{Interlocked.Increment(ref _nextSource)}";

    /// <summary>
    /// A provider that captures what <paramref name="source"/> logs: our own categories from Debug, everything else from
    /// Information (Microsoft, System, Grpc and Yarp from Warning, as the apps log them by default). Add it with
    /// <see cref="AddTestLogs"/>, which also sets these levels for it alone, whatever the app's own minimum level is.
    /// </summary>
    public static ILoggingBuilder AddTestLogs(this ILoggingBuilder logging, string source)
    {
        logging.AddProvider(new Provider(source));
        logging.AddFilter<Provider>(null, LogLevel.Information);
        logging.AddFilter<Provider>("MultiCodex", LogLevel.Debug);
        foreach (var noisy in (string[])["Microsoft", "System", "Grpc", "Yarp"])
        {
            logging.AddFilter<Provider>(noisy, LogLevel.Warning);
        }
        return logging;
    }

    /// <summary>Adds a line a child process wrote (its stdout or stderr).</summary>
    public static void AddOutput(string source, string line) => Add(new LogLine(source, "(output)", LevelOfOutput(line), 0, line, null));

    /// <summary>The first line from now on that <paramref name="matches"/>, or a TimeoutException after <paramref name="timeout"/>.</summary>
    public static Task<LogLine> WaitForAsync(Func<LogLine, bool> matches, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<LogLine>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (Waiters)
        {
            Waiters.Add((matches, found));
        }
        return found.Task.WaitAsync(timeout);
    }

    private static void Add(LogLine line)
    {
        Lines.Enqueue(line);
        lock (Waiters)
        {
            for (var i = Waiters.Count - 1; i >= 0; i--)
            {
                if (Waiters[i].Found.Task.IsCompleted || (Waiters[i].Matches(line) && Waiters[i].Found.TrySetResult(line)))
                {
                    Waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Every line so far, optionally only those of the given sources.</summary>
    public static IReadOnlyList<LogLine> All(IReadOnlyCollection<string>? sources = null) =>
        sources is null ? [.. Lines] : [.. Lines.Where(l => sources.Contains(l.Source))];

    /// <summary>
    /// Lines that show something went wrong unexpectedly: any line at Error or above that carries an exception (a
    /// stack trace in the log), Kestrel's "unhandled exception was thrown by the application", gRPC's "Error when
    /// executing service method", and from a child process an "Unhandled exception" or a stack frame. Our own error
    /// lines (a storage fault, say) carry no exception and are not faults.
    /// </summary>
    public static IReadOnlyList<LogLine> Faults(IReadOnlyCollection<string> sources) =>
        [.. All(sources).Where(l =>
            (l.Level >= LogLevel.Error && l.Exception is not null)
            || l.Message.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase)
            || l.Message.Contains("Error when executing service method", StringComparison.Ordinal)
            || (l.Category == "(output)" && StackFrame().IsMatch(l.Message)))];

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s+at \S+\(")]
    private static partial System.Text.RegularExpressions.Regex StackFrame();

    private static LogLevel LevelOfOutput(string line) =>
        line.StartsWith("fail:", StringComparison.Ordinal) || line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) ? LogLevel.Error
        : line.StartsWith("crit:", StringComparison.Ordinal) || line.StartsWith("Unhandled exception", StringComparison.Ordinal)
            || line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal) ? LogLevel.Critical
        : line.StartsWith("warn:", StringComparison.Ordinal) ? LogLevel.Warning
        : LogLevel.Information;

    [ProviderAlias("TestLogs")]
    private sealed class Provider(string source) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(source, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(string source, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Add(new LogLine(source, category, logLevel, eventId.Id, formatter(state, exception), exception?.ToString()));
    }
}
