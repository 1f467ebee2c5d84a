using MultiCodex.Deployment.Tests.Support;
using YamlDotNet.RepresentationModel;
using Xunit.Abstractions;

namespace MultiCodex.Deployment.Tests;

/// <summary>docker-compose.yml as Compose itself reads it (`config` needs no Docker engine).</summary>
public sealed class ComposeCliTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    // The one variable the file requires; everything else has a default.
    private static readonly IReadOnlyDictionary<string, string> OnlyTheToken = new Dictionary<string, string> { ["ADMIN_TOKEN"] = "a-token-of-my-own" };

    // Compose v1 takes a second or two to start: the plain `config` is run once for the tests that read it.
    private static readonly Lazy<ComposeCli.Result> PlainConfig = new(() => ComposeCli.Run(OnlyTheToken, "config"));

    [ComposeCliFact]
    public void Compose_accepts_the_file()
    {
        var result = ComposeCli.Run(OnlyTheToken, "config", "-q");
        output.WriteLine($"{ComposeCli.Description} config -q: {result}");
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [ComposeCliFact]
    public void Without_an_admin_token_compose_refuses_and_says_how_to_make_one()
    {
        var result = ComposeCli.Run(NoVariables, "config", "-q");
        output.WriteLine($"{ComposeCli.Description} config -q without ADMIN_TOKEN: {result}");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("openssl rand -hex 24", result.Stdout + result.Stderr);
    }

    [ComposeCliFact]
    public void With_only_the_token_set_the_stack_gets_the_documented_defaults()
    {
        var config = Config(OnlyTheToken);
        Assert.Equal("a-token-of-my-own", Env(config, "control", "ADMIN_TOKEN"));
        Assert.Equal("a-token-of-my-own", Env(config, "edge", "ADMIN_TOKEN"));
        Assert.Equal("", Env(config, "edge", "ALLOWED_HOSTS"));
        Assert.Equal("https://auth.openai.com", Env(config, "control", "OAUTH_ISSUER"));
        Assert.Equal("app_EMoamEEZ73f0CkXaXp7hrann", Env(config, "control", "OAUTH_CLIENT_ID"));
        Assert.Equal("openid profile email offline_access", Env(config, "control", "OAUTH_SCOPE"));
        Assert.Equal("http://control:4011", Env(config, "edge", "CONTROL_URL"));
        Assert.Equal("4010", Env(config, "edge", "PORT"));
        Assert.Equal(("4010", "4010"), SinglePort(config, "edge"));
        Assert.Null(Service(config, "control")["ports"]);
        Assert.Null(Service(config, "dashboard")["ports"]);
        // Empty means "the app's default" to both apps.
        Assert.Equal("", Env(config, "control", "USAGE_REFRESH_SECONDS"));
    }

    [ComposeCliFact]
    public void Settings_from_the_environment_reach_the_containers()
    {
        var variables = new Dictionary<string, string>
        {
            ["ADMIN_TOKEN"] = "s3cret-token",
            ["PORT"] = "5010",
            ["OAUTH_ISSUER"] = "http://127.0.0.1:9/issuer",
            ["OAUTH_CLIENT_ID"] = "app_test",
            ["CHATGPT_BASE_URL"] = "http://127.0.0.1:9/backend-api",
            ["USAGE_REFRESH_SECONDS"] = "42",
            ["MAX_ACCOUNT_ATTEMPTS"] = "3",
            // The wiring is not taken from the shell: a CONTROL_URL exported for scripts/run.sh must not leak in.
            ["CONTROL_URL"] = "http://127.0.0.1:4011",
            ["DATA_DIR"] = "/tmp/elsewhere",
        };
        var config = Config(variables);
        Assert.Equal("s3cret-token", Env(config, "control", "ADMIN_TOKEN"));
        Assert.Equal("s3cret-token", Env(config, "edge", "ADMIN_TOKEN"));
        Assert.Equal("5010", Env(config, "edge", "PORT"));
        Assert.Equal(("5010", "5010"), SinglePort(config, "edge"));
        Assert.Equal("http://127.0.0.1:9/issuer", Env(config, "control", "OAUTH_ISSUER"));
        Assert.Equal("app_test", Env(config, "control", "OAUTH_CLIENT_ID"));
        Assert.Equal("http://127.0.0.1:9/backend-api", Env(config, "control", "CHATGPT_BASE_URL"));
        Assert.Equal("http://127.0.0.1:9/backend-api", Env(config, "edge", "CHATGPT_BASE_URL"));
        Assert.Equal("42", Env(config, "control", "USAGE_REFRESH_SECONDS"));
        Assert.Equal("3", Env(config, "edge", "MAX_ACCOUNT_ATTEMPTS"));
        Assert.Equal("http://control:4011", Env(config, "control", "CONTROL_URL"));
        Assert.Equal("http://control:4011", Env(config, "edge", "CONTROL_URL"));
        Assert.Equal("/data", Env(config, "control", "DATA_DIR"));
    }

    [ComposeCliFact]
    public void Compose_sees_the_healthy_dependency_and_the_data_volume()
    {
        var config = Config(OnlyTheToken);
        var dependsOn = (YamlMappingNode)Service(config, "edge")["depends_on"]!;
        var control = (YamlMappingNode)dependsOn.Children[new YamlScalarNode("control")];
        Assert.Equal("service_healthy", ((YamlScalarNode)control.Children[new YamlScalarNode("condition")]).Value);
        var volumes = (YamlSequenceNode)Service(config, "control")["volumes"]!;
        var volume = Assert.Single(volumes.Children);
        // v1 prints "/abs/path/data:/data:rw", v2 a mapping with source and target.
        var (source, target) = volume is YamlMappingNode m
            ? (((YamlScalarNode)m.Children[new YamlScalarNode("source")]).Value, ((YamlScalarNode)m.Children[new YamlScalarNode("target")]).Value)
            : (((YamlScalarNode)volume).Value!.Split(':')[0], ((YamlScalarNode)volume).Value!.Split(':')[1]);
        Assert.Equal(Path.Combine(Repo.Root, "data"), source);
        Assert.Equal("/data", target);
        Assert.All(new[] { "control", "edge", "dashboard" }, s => Assert.Equal("unless-stopped", ((YamlScalarNode)Service(config, s)["restart"]!).Value));
    }

    private YamlMappingNode Config(IReadOnlyDictionary<string, string> variables)
    {
        var result = ReferenceEquals(variables, OnlyTheToken) ? PlainConfig.Value : ComposeCli.Run(variables, "config");
        output.WriteLine($"{ComposeCli.Description} config with {Interpolation.Describe(variables)}: exit {result.ExitCode}");
        Assert.True(result.ExitCode == 0, result.ToString());
        var stream = new YamlStream();
        stream.Load(new StringReader(result.Stdout));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode ServiceNode(YamlMappingNode config, string service) =>
        (YamlMappingNode)((YamlMappingNode)config.Children[new YamlScalarNode("services")]).Children[new YamlScalarNode(service)];

    private static ComposeService Service(YamlMappingNode config, string service) => new(service, ServiceNode(config, service));

    private static string? Env(YamlMappingNode config, string service, string name) =>
        Service(config, service).Environment.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"{service}.{name}");

    private static (string Published, string Target) SinglePort(YamlMappingNode config, string service)
    {
        var port = Assert.Single(Service(config, service).Ports);
        return (port.Published, port.Target);
    }
}
