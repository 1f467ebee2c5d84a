using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MultiCodex.Hosting;

/// <summary>What one app traces and measures when OpenTelemetry is on.</summary>
/// <param name="ServiceName">The default <c>service.name</c> (<c>OTEL_SERVICE_NAME</c> or <c>OTEL_RESOURCE_ATTRIBUTES</c> replace it).</param>
/// <param name="Sources">The app's own activity sources.</param>
/// <param name="Meters">The app's own meters.</param>
/// <param name="TraceRequest">Which incoming requests get a server span; the others are neither recorded nor sampled downstream.</param>
public sealed record TelemetryPlan(string ServiceName, string[] Sources, string[] Meters, Func<HttpContext, bool> TraceRequest);

/// <summary>
/// OpenTelemetry for Control and the Edge, through the OpenTelemetry .NET SDK and its OTLP exporter: traces and
/// metrics. Off unless <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (nothing listens then, and the app's spans cost a
/// null check). The standard variables apply as the SDK reads them: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>grpc</c>,
/// the default, or <c>http/protobuf</c>), <c>OTEL_EXPORTER_OTLP_HEADERS</c>, the per-signal endpoints,
/// <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_TRACES_SAMPLER</c> (+<c>_ARG</c>),
/// <c>OTEL_BSP_*</c> and <c>OTEL_METRIC_EXPORT_INTERVAL</c>; <c>OTEL_SDK_DISABLED=true</c> and
/// <c>OTEL_TRACES_EXPORTER</c>/<c>OTEL_METRICS_EXPORTER=none</c> turn all or one signal off.
/// </summary>
public static class OpenTelemetrySetup
{
    /// <summary>The variable that turns OpenTelemetry on.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The ASP.NET Core meter with <c>http.server.request.duration</c>.</summary>
    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";

    /// <summary>
    /// Turns OpenTelemetry on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> says where to send it; returns whether it did.
    /// A value that cannot work (not an http(s) URL, an unknown protocol or exporter) stops the start with its name.
    /// </summary>
    public static bool AddMultiCodexTelemetry(this WebApplicationBuilder builder, TelemetryPlan plan)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrWhiteSpace(configuration[EndpointVariable]) || IsTrue(configuration["OTEL_SDK_DISABLED"]))
        {
            return false;
        }
        Validate(configuration);
        var traces = ExporterOf(configuration, "OTEL_TRACES_EXPORTER");
        var metrics = ExporterOf(configuration, "OTEL_METRICS_EXPORTER");
        var telemetry = builder.Services.AddOpenTelemetry()
            // Our default name first, then the standard variables over it.
            .ConfigureResource(resource => resource.Clear().AddService(plan.ServiceName).AddTelemetrySdk().AddEnvironmentVariableDetector());
        if (traces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(plan.Sources)
                .AddAspNetCoreInstrumentation(o => o.Filter = plan.TraceRequest)
                .AddOtlpExporter());
        }
        if (metrics)
        {
            telemetry.WithMetrics(meters => meters.AddMeter(plan.Meters).AddMeter(HostingMeter).AddOtlpExporter());
        }
        return traces || metrics;
    }

    /// <summary>True when the request carries a W3C trace context: it belongs to a trace started elsewhere.</summary>
    public static bool HasTraceContext(HttpContext context) => context.Request.Headers.ContainsKey("traceparent");

    private static void Validate(IConfiguration configuration)
    {
        var endpoint = configuration[EndpointVariable]!.Trim();
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new StartupRefusedException(
                $"{EndpointVariable} must be an http(s) URL of an OTLP receiver, e.g. http://otel-collector:4317 (gRPC) or http://otel-collector:4318 (with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf).");
        }
        if (configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] is { Length: > 0 } protocol && protocol.Trim() is not ("grpc" or "http/protobuf"))
        {
            throw new StartupRefusedException($"OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf (was '{protocol}').");
        }
    }

    // Only OTLP is built in; "none" turns the signal off.
    private static bool ExporterOf(IConfiguration configuration, string variable) => configuration[variable]?.Trim() switch
    {
        null or "" or "otlp" => true,
        "none" => false,
        var other => throw new StartupRefusedException($"{variable} must be otlp or none (was '{other}'); MultiCodex exports over OTLP only."),
    };

    private static bool IsTrue(string? value) => string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
}
