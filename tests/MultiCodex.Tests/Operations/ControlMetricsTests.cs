using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Operations;

/// <summary>
/// Control defines each of its metrics once and exports that one definition twice: on <c>/metrics</c> under its
/// Prometheus name, and over OTLP when OpenTelemetry is on. Turning OTLP on adds no second copy of a family on
/// <c>/metrics</c>, and .NET's own meters (Kestrel, HttpClient) are not republished there.
/// </summary>
public sealed class ControlMetricsTests
{
    [Fact]
    public async Task WithOtlpOn_EachFamilyAppearsOnceOnMetrics_AndTheSameInstrumentsArriveOverOtlp()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var upstream = await FakeChatGpt.StartAsync();
        using var data = new TempDirectory();
        await using var control = await AppProcess.StartControlAsync(upstream, data.Path, more: new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
        });
        using var admin = new HttpClient { BaseAddress = control.Url, Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        await AppProcess.AddAccountAsync(admin, upstream.AddAccount("metrics@example.com"), priority: 0);

        var exposition = await admin.GetStringAsync("/metrics");

        var families = exposition.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        Assert.Empty(families.GroupBy(f => f).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.DoesNotContain(families, f => f.StartsWith("multicodex_control_multicodex", StringComparison.Ordinal));
        Assert.DoesNotContain(families, f => f.StartsWith("microsoft_", StringComparison.Ordinal) || f.StartsWith("kestrel", StringComparison.Ordinal)
            || f.StartsWith("system_", StringComparison.Ordinal) || f.StartsWith("http_", StringComparison.Ordinal));
        Assert.Equal(
            [
                "multicodex_control_accounts", "multicodex_control_events_total", "multicodex_control_history_dropped_total",
                "multicodex_control_history_queued", "multicodex_control_history_write_failures_total", "multicodex_control_history_written_total",
                "multicodex_control_pool_watchers", "multicodex_control_session_bindings", "multicodex_control_webhook_attempts_total",
                "multicodex_control_webhook_deliveries_total",
            ],
            families.Where(f => f.StartsWith("multicodex_control_", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        // Every label value from the start (zeros, not gaps), under the documented label names.
        Assert.Equal(1, Sample(exposition, "multicodex_control_accounts{state=\"active\"}"));
        foreach (var state in new[] { "blocked", "reauth_required", "disabled" })
        {
            Assert.Equal(0, Sample(exposition, $"multicodex_control_accounts{{state=\"{state}\"}}"));
        }
        Assert.Equal(0, Sample(exposition, "multicodex_control_events_total{type=\"pool_exhausted\"}"));
        Assert.Equal(0, Sample(exposition, "multicodex_control_webhook_deliveries_total{result=\"failed\"}"));
        Assert.Equal(0, Sample(exposition, "multicodex_control_webhook_attempts_total{outcome=\"failure\"}"));
        Assert.Equal(0, Sample(exposition, "multicodex_control_history_dropped_total{reason=\"queue_full\"}"));
        Assert.Equal(0, Sample(exposition, "multicodex_control_pool_watchers"));
        Assert.True(Sample(exposition, "process_cpu_seconds_total") > 0, "the process metrics stay");

        // The same instruments over OTLP, with the same attribute names.
        await receiver.WaitForAsync(r => r.Metrics.Any(m => m.Name == "multicodex.control.accounts") && r.Metrics.Any(m => m.Name == "multicodex.control.events"),
            "Control's gauges and counters", TimeSpan.FromSeconds(30));
        var accounts = receiver.Metrics.Last(m => m.Name == "multicodex.control.accounts");
        Assert.Equal(("multicodex-control", "gauge"), (accounts.Service, accounts.Kind));
        Assert.Contains(accounts.PointAttributes, p => p.GetValueOrDefault("state") == "active");
        Assert.Contains(receiver.Metrics, m => m.Name == "multicodex.control.webhook.deliveries" && m.Kind == "sum");
    }

    private static double Sample(string exposition, string series) =>
        exposition.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Single();
}
