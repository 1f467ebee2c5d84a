using System.Globalization;
using MultiCodex.Deployment.Tests.Support;

namespace MultiCodex.Deployment.Tests;

/// <summary>docker-compose.yml read as YAML, as written (these run with or without a Compose command line).</summary>
public sealed class ComposeFileTests
{
    /// <summary>Settings that wire the containers together: fixed in the file, not taken from the caller's shell.</summary>
    private static readonly IReadOnlySet<string> Wiring = new HashSet<string>(StringComparer.Ordinal) { "DATA_DIR", "HOST", "CONTROL_URL", "DASHBOARD_URL" };

    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    [Fact]
    public void Has_the_three_services_each_built_from_its_dockerfile_in_the_repo_root()
    {
        var compose = Repo.Compose;
        Assert.Equal(["control", "dashboard", "edge"], compose.Services.Keys.Order(StringComparer.Ordinal));
        foreach (var image in Images.All)
        {
            var (context, dockerfile) = compose.Services[image.Service].Build;
            Assert.Equal(".", context);
            Assert.Equal(image.DockerfilePath, dockerfile);
        }
    }

    [Fact]
    public void Uses_only_keys_compose_v1_accepts()
    {
        // Compose v1 (1.29) rejects a top-level `name` and knows no `include`; `develop` is v2-only.
        var compose = Repo.Compose;
        Assert.All(compose.TopLevelKeys, key => Assert.True(
            key is "services" or "volumes" or "networks" or "secrets" or "configs" or "version" || key.StartsWith("x-", StringComparison.Ordinal),
            $"top-level key '{key}'"));
        Assert.All(compose.Services.Values, service =>
        {
            Assert.DoesNotContain("develop", service.Keys);
            Assert.DoesNotContain("container_name", service.Keys); // would stop a second copy of the stack (and edge replicas)
        });
    }

    [Fact]
    public void Only_the_edge_publishes_a_port_and_it_is_the_edges_own()
    {
        var services = Repo.Compose.Services;
        Assert.Empty(services["control"].Ports);
        Assert.Empty(services["dashboard"].Ports);
        Assert.All(services.Values, s => Assert.Null(s["network_mode"]));
        var port = Assert.Single(services["edge"].Ports);
        var edgePort = services["edge"].Environment["PORT"]!;

        // As written: "${PORT:-4010}:${PORT:-4010}" → 4010:4010, and overriding PORT moves both sides with the Edge.
        foreach (var (variables, expected) in new[] { (NoVariables, "4010"), (new Dictionary<string, string> { ["PORT"] = "5010" }, "5010") })
        {
            Assert.Equal(expected, Interpolation.Evaluate(port.Published, variables));
            Assert.Equal(expected, Interpolation.Evaluate(port.Target, variables));
            Assert.Equal(expected, Interpolation.Evaluate(edgePort, variables));
        }
        Assert.Equal(Images.LocalPort(Images.Edge).ToString(CultureInfo.InvariantCulture), Interpolation.Evaluate(port.Target, NoVariables));
    }

    [Fact]
    public void Control_keeps_its_data_in_the_data_folder_of_the_repo()
    {
        var control = Repo.Compose.Services["control"];
        var volume = Assert.Single(control.Volumes);
        Assert.Equal("./data", volume.Source);
        Assert.Equal("/data", volume.Target);
        Assert.Equal(volume.Target, control.Environment["DATA_DIR"]);
        Assert.Equal(volume.Target, Images.Control.Dockerfile.Final.Environment["DATA_DIR"]);
        Assert.Empty(Repo.Compose.Services["edge"].Volumes);
        Assert.Empty(Repo.Compose.Services["dashboard"].Volumes);
    }

    [Fact]
    public void Control_and_edge_require_the_same_admin_token_and_say_how_to_make_one()
    {
        var services = Repo.Compose.Services;
        foreach (var name in new[] { "control", "edge" })
        {
            var reference = Assert.Single(Interpolation.References(services[name].Environment["ADMIN_TOKEN"]!));
            Assert.Equal("ADMIN_TOKEN", reference.Name);
            Assert.Equal(":?", reference.Operator);
            Assert.Contains("openssl rand -hex 24", reference.Default);
            Assert.Throws<InvalidOperationException>(() => Interpolation.Evaluate(services[name].Environment["ADMIN_TOKEN"]!, NoVariables));
        }
        Assert.False(services["dashboard"].Environment.ContainsKey("ADMIN_TOKEN"));
    }

    [Fact]
    public void A_setting_both_apps_read_is_given_the_same_value_in_both()
    {
        var control = Repo.Compose.Services["control"].Environment;
        var edge = Repo.Compose.Services["edge"].Environment;
        var shared = control.Keys.Intersect(edge.Keys).ToList();
        Assert.Contains("ADMIN_TOKEN", shared);
        Assert.Contains("CHATGPT_BASE_URL", shared);
        Assert.Contains("CONTROL_URL", shared);
        Assert.All(shared, name => Assert.Equal(control[name], edge[name]));
    }

    [Fact]
    public void The_edge_waits_for_a_healthy_control_and_every_healthy_condition_has_a_healthcheck()
    {
        var services = Repo.Compose.Services;
        Assert.Equal("service_healthy", services["edge"].DependsOn["control"]);
        Assert.Contains("dashboard", services["edge"].DependsOn.Keys);
        Assert.Empty(services["control"].DependsOn);
        foreach (var (dependency, condition) in services.Values.SelectMany(s => s.DependsOn))
        {
            Assert.Contains(condition, new[] { "service_started", "service_healthy" });
            Assert.True(services.ContainsKey(dependency), $"depends_on names an unknown service {dependency}");
            if (condition == "service_healthy")
            {
                var hasHealthcheck = services[dependency]["healthcheck"] is not null
                    || Images.Named(dependency).Dockerfile.Final.All("HEALTHCHECK").Any();
                Assert.True(hasHealthcheck, $"{dependency} must be healthy first but has no healthcheck");
            }
        }
    }

    [Fact]
    public void Every_service_restarts_unless_stopped()
    {
        Assert.All(Repo.Compose.Services.Values, s => Assert.Equal("unless-stopped", s.Text("restart")));
    }

    [Fact]
    public void Every_setting_is_overridable_by_its_own_name_and_the_wiring_is_fixed()
    {
        foreach (var service in Repo.Compose.Services.Values)
        {
            foreach (var (name, value) in service.Environment)
            {
                Assert.NotNull(value);
                if (Wiring.Contains(name))
                {
                    Assert.Empty(Interpolation.References(value));
                }
                else if (name == "ADMIN_TOKEN")
                {
                    Assert.Equal(":?", Assert.Single(Interpolation.References(value)).Operator); // required, no default
                }
                else
                {
                    Assert.True(Interpolation.IsWholeReferenceTo(value, name, out var fallback) && fallback is not null,
                        $"{service.Name}.{name}: '{value}' is not ${{{name}:-default}}");
                }
            }
        }
    }

    [Fact]
    public void The_wiring_points_at_the_other_services_on_their_image_ports()
    {
        var services = Repo.Compose.Services;
        foreach (var service in new[] { "control", "edge" })
        {
            var controlUrl = services[service].Environment["CONTROL_URL"]!;
            Assert.Equal("control", LocalRun.HostOf(controlUrl));
            Assert.Equal(Images.LocalPort(Images.Control), LocalRun.PortOf(controlUrl));
        }
        var dashboardUrl = services["edge"].Environment["DASHBOARD_URL"]!;
        Assert.Equal("dashboard", LocalRun.HostOf(dashboardUrl));
        Assert.Equal(Images.Dashboard.Dockerfile.Final.Environment["PORT"], LocalRun.PortOf(dashboardUrl).ToString(CultureInfo.InvariantCulture));
        Assert.Equal("0.0.0.0", services["edge"].Environment["HOST"]);
        // The dashboard needs no Control URL: it reaches Control through the Edge, same origin.
        Assert.DoesNotContain("CONTROL_URL", services["dashboard"].Environment.Keys);
    }

    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        foreach (var table in Docs.SettingsTables())
        {
            var checkedNames = new List<string>();
            foreach (var service in Repo.Compose.Services.Values)
            {
                foreach (var (name, value) in service.Environment)
                {
                    if (Wiring.Contains(name) || name == "ADMIN_TOKEN" || !table.Settings.TryGetValue(name, out var documented) || documented.Default is null)
                    {
                        continue;
                    }
                    Assert.True(Interpolation.IsWholeReferenceTo(value!, name, out var fallback), $"{name} in docker-compose.yml is not ${{{name}:-…}}");
                    if (fallback is { Length: > 0 }) // empty: the app's own default
                    {
                        Assert.True(documented.Default == fallback, $"{name}: docker-compose.yml falls back to '{fallback}', {table.Document} says '{documented.Default}'");
                        checkedNames.Add(name);
                    }
                }
            }
            // At least the port and the upstream and OAuth settings (which must match the Codex CLI's registration) are spelled out.
            foreach (var name in new[] { "PORT", "CHATGPT_BASE_URL", "OAUTH_ISSUER", "OAUTH_CLIENT_ID", "OAUTH_REDIRECT_URI", "OAUTH_SCOPE" })
            {
                Assert.True(checkedNames.Contains(name), $"{table.Document}: the default of {name} was not checked");
            }
        }
    }

    [Fact]
    public void Control_and_edge_get_every_documented_setting_they_read()
    {
        // The names each app reads (README.md's configuration table); the compose file passes all of them.
        var control = Repo.Compose.Services["control"].Environment.Keys.ToHashSet();
        var edge = Repo.Compose.Services["edge"].Environment.Keys.ToHashSet();
        string[] controlReads =
        [
            "DATA_DIR", "CONTROL_URL", "ADMIN_TOKEN", "ALLOWED_HOSTS", "CHATGPT_BASE_URL", "OAUTH_ISSUER", "OAUTH_CLIENT_ID", "OAUTH_REDIRECT_URI", "OAUTH_SCOPE",
            "USAGE_REFRESH_SECONDS", "BLOCK_FALLBACK_SECONDS", "STICKY_SESSION_IDLE_SECONDS", "HISTORY_RETENTION_DAYS", "OAUTH_FLOW_TTL_SECONDS",
            "UPSTREAM_TIMEOUT_SECONDS", "CONTROL_MAX_BODY_BYTES", "LOG_FORMAT", "WEBHOOK_TIMEOUT_SECONDS", "WEBHOOK_MAX_ATTEMPTS", "OTEL_EXPORTER_OTLP_ENDPOINT",
        ];
        string[] edgeReads =
        [
            "PORT", "HOST", "CONTROL_URL", "DASHBOARD_URL", "ADMIN_TOKEN", "ALLOWED_HOSTS", "CHATGPT_BASE_URL", "MAX_REQUEST_BODY_BYTES",
            "UPSTREAM_TIMEOUT_SECONDS", "FIRST_EVENT_TIMEOUT_SECONDS", "STREAM_IDLE_TIMEOUT_SECONDS", "MAX_ACCOUNT_ATTEMPTS", "SHUTDOWN_DRAIN_SECONDS",
            "REPORT_QUEUE_CAPACITY", "RESPONSE_STORE_MAX_BYTES", "RESPONSE_STORE_MAX_AGE_SECONDS", "LOG_FORMAT", "OTEL_EXPORTER_OTLP_ENDPOINT",
            "RESPONSES_WEBSOCKETS", "RESPONSES_WEBSOCKET_MAX_AGE_SECONDS", "RESPONSES_WEBSOCKET_TRANSCRIPT_BYTES",
        ];
        Assert.Equal(controlReads.Order(StringComparer.Ordinal), control.Order(StringComparer.Ordinal));
        Assert.Equal(edgeReads.Order(StringComparer.Ordinal), edge.Order(StringComparer.Ordinal));
    }
}
