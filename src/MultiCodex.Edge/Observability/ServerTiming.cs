using System.Globalization;
using MultiCodex.Edge.V1;

namespace MultiCodex.Edge.Observability;

/// <summary>
/// The <c>Server-Timing</c> header on every /v1 answer over HTTP — a stream, a JSON answer, and every error (4xx,
/// 429, 5xx, a refused key or origin) — so that any client sees what MultiCodex adds to a request:
/// <code>Server-Timing: mcx-proxy;dur=1.8, mcx-failover;dur=240.3, mcx-upstream-ttfb;dur=412.0, mcx-attempts;desc="2", mcx-total;dur=655.1</code>
/// Durations are in milliseconds (<see cref="RequestTiming"/> says what each covers); <c>mcx-failover</c> comes only
/// after more than one attempt and <c>mcx-upstream-ttfb</c> only when an upstream answered. It is written with the
/// response headers, so for a stream it covers the time up to the commit (the first byte the client gets), not the
/// stream after it. A WebSocket has no headers per response: its responses' figures are in the request log, the
/// metrics and the spans only.
/// </summary>
public static class ServerTiming
{
    public const string HeaderName = "Server-Timing";

    /// <summary>
    /// Stamps every /v1 request's arrival and writes the header when its response starts. Goes first in the
    /// pipeline, so that the front door's own refusals carry it too.
    /// </summary>
    public static IApplicationBuilder UseServerTiming(this IApplicationBuilder app)
    {
        var time = app.ApplicationServices.GetRequiredService<TimeProvider>();
        return app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v1") && !context.WebSockets.IsWebSocketRequest)
            {
                var clock = new Clock(context, time);
                context.Features.Set(clock);
                context.Response.OnStarting(static state => ((Clock)state).Stamp(), clock);
            }
            return next(context);
        });
    }

    /// <summary>Has the header tell <paramref name="trace"/>'s figures, and dates the trace from the request's arrival at the front door.</summary>
    public static void Follow(HttpContext http, RequestTrace trace)
    {
        if (http.Features.Get<Clock>() is { } clock)
        {
            clock.Trace = trace;
            trace.StartedAt = clock.ArrivedAt;
        }
    }

    /// <summary>The header's value for <paramref name="timing"/>.</summary>
    public static string Format(in RequestTiming timing)
    {
        var value = string.Create(CultureInfo.InvariantCulture, $"mcx-proxy;dur={timing.Proxy.TotalMilliseconds:F1}");
        if (timing.Attempts > 1)
        {
            value += string.Create(CultureInfo.InvariantCulture, $", mcx-failover;dur={timing.Failover.TotalMilliseconds:F1}");
        }
        if (timing.UpstreamTimeToFirstByte is { } ttfb)
        {
            value += string.Create(CultureInfo.InvariantCulture, $", mcx-upstream-ttfb;dur={ttfb.TotalMilliseconds:F1}");
        }
        return value + string.Create(CultureInfo.InvariantCulture, $", mcx-attempts;desc=\"{timing.Attempts}\", mcx-total;dur={timing.Total.TotalMilliseconds:F1}");
    }

    /// <summary>One request's arrival, and the pipeline's trace once it has one.</summary>
    private sealed class Clock(HttpContext http, TimeProvider time)
    {
        public long ArrivedAt { get; } = time.GetTimestamp();

        public RequestTrace? Trace { get; set; }

        public Task Stamp()
        {
            var now = time.GetTimestamp();
            var timing = Trace?.Timing(now) ?? RequestTiming.Measure(time, ArrivedAt, now, 0, null, null);
            http.Response.Headers[HeaderName] = Format(timing);
            return Task.CompletedTask;
        }
    }
}
