using System.Globalization;
using MultiCodex.Deployment.Tests.Support;

namespace MultiCodex.Deployment.Tests;

/// <summary>
/// The images cannot drift from the local run: the same programs (scripts/lib.sh's start_stack), the same
/// variables and ports (scripts/run.sh's defaults), and the ports the documentation fixes.
/// </summary>
public sealed class LocalRunDriftTests
{
    [Fact]
    public void Lib_sh_starts_the_two_dlls_the_dotnet_images_run()
    {
        var local = LocalRun.DotnetApps;
        Assert.Equal(2, local.Count);
        Assert.Equal(
            local.Select(a => a.Dll).Order(StringComparer.Ordinal),
            Images.All.Where(i => i.IsDotnet).Select(i => i.Entrypoint[1]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Images.DotnetServices), MemberType = typeof(Images))]
    public void The_image_publishes_the_project_lib_sh_runs_from_artifacts(string service)
    {
        var image = Images.Named(service);
        var local = Assert.Single(LocalRun.DotnetApps, a => a.Dll == image.Entrypoint[1]);
        // artifacts/bin/<Project>/<config>/<Dll>: the project folder lib.sh names is the project the image publishes.
        var published = DockerfileTests.PublishedProject(service);
        Assert.Equal(local.Project, Path.GetFileNameWithoutExtension(published));
        Assert.Equal($"src/{local.Project}/{local.Project}.csproj", published);
    }

    [Fact]
    public void The_dashboard_image_runs_the_standalone_server_lib_sh_runs()
    {
        var local = LocalRun.Dashboard;
        Assert.Equal(".next/standalone", local.Directory);
        var file = Images.Dashboard.Dockerfile;
        Assert.Equal(["node", local.Script], Images.Dashboard.Entrypoint);
        // The final stage copies that folder from the build stage into its working directory, where node finds server.js.
        var entrypoint = file.Final.All("ENTRYPOINT").Single();
        var workdir = file.Final.WorkdirAt(entrypoint);
        var build = file.Stages.Single(s => s.All("RUN").Any(r => r.Arguments.StartsWith("npm run build", StringComparison.Ordinal)));
        var buildDir = build.WorkdirAt(build.All("RUN").First(r => r.Arguments.StartsWith("npm run build", StringComparison.Ordinal)));
        var copy = Assert.Single(file.Final.Copies, c => c.From == build.Name);
        Assert.Equal(Dockerfile.CombineUnix(buildDir, local.Directory), Dockerfile.CombineUnix("/", Assert.Single(copy.Sources)));
        Assert.Equal(workdir, Dockerfile.CombineUnix(file.Final.WorkdirAt(copy.Instruction), copy.Destination));
    }

    [Fact]
    public void The_dashboard_image_sets_the_variables_lib_sh_gives_the_server()
    {
        var local = LocalRun.Dashboard;
        var env = Images.Dashboard.Dockerfile.Final.Environment;
        Assert.Equal(["HOSTNAME", "PORT"], local.Variables.Select(v => v.Name).Order(StringComparer.Ordinal));
        foreach (var variable in local.Variables)
        {
            Assert.True(env.ContainsKey(variable.Name), $"lib.sh sets {variable.Name} for the dashboard; the image does not");
        }
        // lib.sh derives both from DASHBOARD_URL; the image's values are what the Edge's DASHBOARD_URL points at.
        Assert.All(local.Variables, v => Assert.Equal("DASHBOARD_URL", v.Source));
        var port = local.Variables.Single(v => v.Name == "PORT");
        Assert.Equal("port_of", port.Function);
        Assert.Equal(LocalRun.PortOf(Images.Edge.Dockerfile.Final.Environment["DASHBOARD_URL"]).ToString(CultureInfo.InvariantCulture), env["PORT"]);
        Assert.Equal(LocalRun.PortOf(LocalRun.RunDefaults["DASHBOARD_URL"]).ToString(CultureInfo.InvariantCulture), env["PORT"]);
        // In a container the server listens on every interface (locally: the host of DASHBOARD_URL, 127.0.0.1).
        Assert.Equal("0.0.0.0", env["HOSTNAME"]);
    }

    [Theory]
    [MemberData(nameof(Images.Services), MemberType = typeof(Images))]
    public void Each_image_exposes_the_port_the_local_run_uses(string service)
    {
        var image = Images.Named(service);
        var expose = Assert.Single(image.Dockerfile.Final.All("EXPOSE"));
        Assert.Equal(Images.LocalPort(image).ToString(CultureInfo.InvariantCulture), Assert.Single(expose.Words).Split('/')[0]);
    }

    [Fact]
    public void The_images_default_environment_matches_the_local_runs_ports()
    {
        var control = Images.Control.Dockerfile.Final.Environment;
        var edge = Images.Edge.Dockerfile.Final.Environment;
        var dashboard = Images.Dashboard.Dockerfile.Final.Environment;
        var local = LocalRun.RunDefaults;

        Assert.Equal(local["PORT"], edge["PORT"]);
        Assert.Equal(LocalRun.PortOf(local["CONTROL_URL"]), LocalRun.PortOf(control["CONTROL_URL"]));
        Assert.Equal(LocalRun.PortOf(local["CONTROL_URL"]), LocalRun.PortOf(edge["CONTROL_URL"]));
        Assert.Equal(LocalRun.PortOf(local["DASHBOARD_URL"]), LocalRun.PortOf(edge["DASHBOARD_URL"]));
        Assert.Equal(LocalRun.PortOf(local["DASHBOARD_URL"]).ToString(CultureInfo.InvariantCulture), dashboard["PORT"]);

        // Containers listen on every interface; the Edge finds the others by their compose service names.
        Assert.Equal("0.0.0.0", edge["HOST"]);
        Assert.Equal("control", LocalRun.HostOf(edge["CONTROL_URL"]));
        Assert.Equal("dashboard", LocalRun.HostOf(edge["DASHBOARD_URL"]));
        Assert.Equal("/data", control["DATA_DIR"]);
    }

    [Fact]
    public void The_local_run_uses_the_documented_ports()
    {
        // run.sh's defaults are checked against the images above; here against the contract.
        var local = LocalRun.RunDefaults;
        Assert.Equal("4010", local["PORT"]);
        Assert.Equal(4011, LocalRun.PortOf(local["CONTROL_URL"]));
        Assert.Equal(4012, LocalRun.PortOf(local["DASHBOARD_URL"]));
    }

    [Fact]
    public void The_documentation_names_the_same_ports()
    {
        var local = LocalRun.RunDefaults;
        foreach (var table in Docs.SettingsTables())
        {
            foreach (var name in new[] { "PORT", "CONTROL_URL", "DASHBOARD_URL" })
            {
                Assert.True(local[name] == table.Settings[name].Default, $"{name}: run.sh uses '{local[name]}', {table.Document} says '{table.Settings[name].Default}'");
            }
        }
    }

    [Fact]
    public void The_container_data_dir_is_the_documented_one()
    {
        foreach (var table in Docs.SettingsTables())
        {
            var dataDir = table.Settings["DATA_DIR"];
            Assert.True(dataDir.ContainerDefault is not null, $"{table.Document} names no container value for DATA_DIR: {dataDir.DefaultCell}");
            Assert.Equal(dataDir.ContainerDefault, Images.Control.Dockerfile.Final.Environment["DATA_DIR"]);
        }
    }
}
