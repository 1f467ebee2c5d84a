using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MultiCodex.Hosting;

/// <summary>
/// Drops two framework log lines that tell an operator something untrue or twice:
/// Kestrel's "HTTP/2 is not enabled … TLS is not enabled" (event 64), untrue on our ports because the preface sniffer
/// serves h2c there (<see cref="CleartextHttp2Sniffer"/>); and the host's "Hosting failed to start" (event 11) with a
/// stack trace when the port cannot be bound, which <see cref="ServiceDefaults.RunOrExplainAsync"/> reports in one line.
/// Every other line passes; logging filters cannot select by event id, so this wraps the logger factory.
/// </summary>
internal static class StartupLogFilter
{
    private const string KestrelCategory = "Microsoft.AspNetCore.Server.Kestrel";
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private const int Http2DisabledWithoutTls = 64;
    private const int HostingStartupFaulted = 11;

    public static void AddStartupLogFilter(this IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new Factory(ActivatorUtilities.CreateInstance<LoggerFactory>(sp))));

    private sealed class Factory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => categoryName switch
        {
            KestrelCategory => new Filtered(inner.CreateLogger(categoryName), (id, _) => id.Id == Http2DisabledWithoutTls),
            HostCategory => new Filtered(inner.CreateLogger(categoryName), (id, e) => id.Id == HostingStartupFaulted && ServiceDefaults.IsBindFailure(e)),
            _ => inner.CreateLogger(categoryName),
        };

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();
    }

    private sealed class Filtered(ILogger inner, Func<EventId, Exception?, bool> drop) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!drop(eventId, exception))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
