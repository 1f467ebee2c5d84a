namespace MultiCodex.Deployment.Tests.Support;

/// <summary>What each image must be: its Dockerfile, compose service, exact ENTRYPOINT and the port it serves.</summary>
public sealed record ImageSpec(string Service, string DockerfilePath, string[] Entrypoint, string PortVariable)
{
    public Dockerfile Dockerfile => Dockerfile.Load(Repo.PathOf(DockerfilePath));

    public bool IsDotnet => Entrypoint[0] == "dotnet";
}

public static class Images
{
    public static readonly ImageSpec Control = new("control", "Dockerfile.control", ["dotnet", "MultiCodex.Control.dll"], "CONTROL_URL");
    public static readonly ImageSpec Edge = new("edge", "Dockerfile.edge", ["dotnet", "MultiCodex.Edge.dll"], "PORT");
    public static readonly ImageSpec Dashboard = new("dashboard", "Dockerfile.dashboard", ["node", "server.js"], "DASHBOARD_URL");

    public static readonly IReadOnlyList<ImageSpec> All = [Control, Edge, Dashboard];

    public static ImageSpec Named(string service) => All.Single(i => i.Service == service);

    public static TheoryData<string> Services => new(All.Select(i => i.Service));

    public static TheoryData<string> DotnetServices => new(All.Where(i => i.IsDotnet).Select(i => i.Service));

    /// <summary>
    /// The port each app serves as scripts/run.sh defaults it (PORT=4010, CONTROL_URL=…:4011, DASHBOARD_URL=…:4012):
    /// the Edge's is PORT, the others' the port of the URL the Edge reaches them at.
    /// </summary>
    public static int LocalPort(ImageSpec image)
    {
        var value = LocalRun.RunDefaults[image.PortVariable];
        return image.PortVariable == "PORT" ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : LocalRun.PortOf(value);
    }

    /// <summary>Names a final image may set that are no MultiCodex setting: the runtimes' own.</summary>
    public static readonly IReadOnlySet<string> PlatformVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "ASPNETCORE_HTTP_PORTS", "DOTNET_NOLOGO", "DOTNET_CLI_TELEMETRY_OPTOUT", "NODE_ENV", "NEXT_TELEMETRY_DISABLED",
    };
}
