using System.Text.RegularExpressions;
using System.Xml.Linq;
using MultiCodex.Deployment.Tests.Support;

namespace MultiCodex.Deployment.Tests;

/// <summary>Each Dockerfile on its own: stages, pinned bases, what the final image holds, how it runs.</summary>
public sealed partial class DockerfileTests
{
    // An exact version: 10.0.401, 20.20.2-bookworm-slim (a variant suffix is fine; "10.0", "20" or "lts" are not).
    [GeneratedRegex(@"^\d+\.\d+\.\d+(?:-[a-z0-9][a-z0-9.-]*)?$")]
    private static partial Regex ExactVersion();

    [Theory]
    [MemberData(nameof(Images.Services), MemberType = typeof(Images))]
    public void Is_multi_stage_and_the_final_stage_only_takes_build_output(string service)
    {
        var file = Images.Named(service).Dockerfile;
        Assert.True(file.Stages.Count >= 2, $"{file.Path}: one stage only; build in one, run in another");
        var final = file.Final;
        var earlier = file.Stages.Take(file.Stages.Count - 1).Select(s => s.Name).OfType<string>().ToHashSet();
        Assert.NotEmpty(final.Copies);
        Assert.All(final.Copies, copy =>
            Assert.True(copy.From is not null && earlier.Contains(copy.From),
                $"{file.Path} {copy.Instruction}: the final stage copies only from a build stage (--from=<stage>), not from the context"));
        Assert.Empty(final.All("ADD"));
        // Nothing is built in the final image: no SDK, no package install.
        Assert.DoesNotContain("/sdk", final.Image.Repository, StringComparison.Ordinal);
        Assert.All(final.All("RUN"), run => Assert.DoesNotMatch(@"\b(dotnet (restore|build|publish)|npm (ci|install)|apt-get install)\b", run.Arguments));
    }

    [Theory]
    [MemberData(nameof(Images.Services), MemberType = typeof(Images))]
    public void Every_base_image_is_pinned_to_an_exact_version(string service)
    {
        var file = Images.Named(service).Dockerfile;
        var stageNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var stage in file.Stages)
        {
            if (!stageNames.Contains(stage.Image.Repository))
            {
                Assert.False(stage.Image.Tag is null && stage.Image.Digest is null, $"{file.Path} {stage.From}: untagged base image");
                Assert.NotEqual("latest", stage.Image.Tag);
                Assert.True(stage.Image.Digest is not null || ExactVersion().IsMatch(stage.Image.Tag!),
                    $"{file.Path} {stage.From}: '{stage.Image.Tag}' is not an exact version (x.y.z[-variant]) or a digest");
                Assert.DoesNotContain("$", stage.Image.ToString(), StringComparison.Ordinal);
            }
            if (stage.Name is not null)
            {
                stageNames.Add(stage.Name);
            }
        }
        Assert.Contains("pinned", File.ReadAllText(file.Path), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Control_and_edge_build_and_run_on_the_same_dotnet_images()
    {
        static string Bases(ImageSpec image) => string.Join(" → ", image.Dockerfile.Stages.Select(s => s.Image.ToString()));
        Assert.Equal(Bases(Images.Control), Bases(Images.Edge));
    }

    [Theory]
    [MemberData(nameof(Images.Services), MemberType = typeof(Images))]
    public void The_final_stage_runs_as_a_non_root_user(string service)
    {
        var file = Images.Named(service).Dockerfile;
        var user = file.Final.All("USER").LastOrDefault();
        Assert.True(user is not null, $"{file.Path}: the final stage sets no USER, so it runs as root");
        var name = user.Words.Single().Split(':')[0];
        Assert.DoesNotContain(name, new[] { "root", "0", "" });
        Assert.DoesNotContain("$", name, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Images.Services), MemberType = typeof(Images))]
    public void The_entrypoint_is_exactly_the_app_in_exec_form(string service)
    {
        var image = Images.Named(service);
        var entrypoint = image.Dockerfile.Final.All("ENTRYPOINT").ToList();
        var only = Assert.Single(entrypoint);
        Assert.Equal(image.Entrypoint, only.ExecForm);
        Assert.Empty(image.Dockerfile.Final.All("CMD"));
    }

    [Theory]
    [MemberData(nameof(Images.Services), MemberType = typeof(Images))]
    public void The_healthcheck_asks_the_app_itself(string service)
    {
        var image = Images.Named(service);
        var file = image.Dockerfile;
        var health = HealthcheckSpec.Parse(Assert.Single(file.Final.All("HEALTHCHECK")));
        Assert.False(health.None);
        Assert.True(health.ExecForm is not null, $"{file.Path}: HEALTHCHECK CMD in exec form (no shell needed)");
        foreach (var option in new[] { "interval", "timeout", "retries" })
        {
            Assert.True(health.Options.ContainsKey(option), $"{file.Path}: HEALTHCHECK --{option} is not set");
        }
        var command = health.ExecForm!;
        if (image.IsDotnet)
        {
            // The same program as the entrypoint, in its healthcheck mode (the aspnet image has no curl).
            Assert.Equal([.. image.Entrypoint, "healthcheck"], command);
        }
        else
        {
            Assert.Equal(["node", "-e"], command.Take(2));
            var script = Assert.Single(command.Skip(2));
            Assert.Contains("fetch(", script, StringComparison.Ordinal);
            Assert.Contains("http://127.0.0.1:", script, StringComparison.Ordinal);
            Assert.Contains("process.env.PORT", script, StringComparison.Ordinal);
            Assert.Contains("process.exit(1)", script, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Images.Services), MemberType = typeof(Images))]
    public void Restore_runs_on_the_package_manifests_alone_before_the_sources_come_in(string service)
    {
        var image = Images.Named(service);
        var file = image.Dockerfile;
        var restorePattern = image.IsDotnet ? @"^dotnet restore\b" : @"^npm ci\b";
        var build = file.Stages.Single(s => s.All("RUN").Any(r => Regex.IsMatch(r.Arguments, restorePattern)));
        var restore = build.All("RUN").First(r => Regex.IsMatch(r.Arguments, restorePattern));
        var before = build.Copies.Where(c => c.Instruction.Line < restore.Line).SelectMany(c => c.Sources).ToList();
        var after = build.Copies.Where(c => c.Instruction.Line > restore.Line).SelectMany(c => c.Sources).ToList();
        var manifest = image.IsDotnet
            ? new Regex(@"(\.csproj|\.props|\.targets|^global\.json|^nuget\.config)$", RegexOptions.IgnoreCase)
            : new Regex(@"(^|/)(package\.json|package-lock\.json|\.npmrc)$");
        Assert.NotEmpty(before);
        Assert.All(before, source => Assert.Matches(manifest, source));
        Assert.NotEmpty(after);
        // Everything the build compiles arrives after the restore layer.
        var afterRestore = build.All("RUN").Where(r => r.Line > restore.Line).ToList();
        Assert.Contains(afterRestore, r => Regex.IsMatch(r.Arguments, image.IsDotnet ? @"^dotnet publish\b.*--no-restore" : @"^npm run build\b"));
        // And the restore layer has every input restore reads: the root props and global.json, when they exist.
        if (image.IsDotnet)
        {
            foreach (var name in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", "Directory.Build.targets", "NuGet.config", "nuget.config" })
            {
                if (File.Exists(Repo.PathOf(name)))
                {
                    Assert.Contains(name, before);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Images.DotnetServices), MemberType = typeof(Images))]
    public void The_restore_layer_has_every_project_the_app_references(string service)
    {
        var build = Images.Named(service).Dockerfile.Stages.Single(s => s.All("RUN").Any(r => r.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal)));
        var restore = build.All("RUN").First(r => r.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        var copiedBefore = build.Copies.Where(c => c.Instruction.Line < restore.Line).SelectMany(c => c.Sources).ToHashSet(StringComparer.Ordinal);
        var published = PublishedProject(service);
        var closure = ProjectClosure(published);
        Assert.All(closure, project => Assert.Contains(project, copiedBefore));
        // …and the sources of each come in after it.
        var copiedAfter = build.Copies.Where(c => c.Instruction.Line > restore.Line).SelectMany(c => c.Sources).Select(s => s.TrimEnd('/')).ToHashSet();
        Assert.All(closure, project => Assert.Contains(project[..project.LastIndexOf('/')], copiedAfter));
    }

    [Theory]
    [MemberData(nameof(Images.DotnetServices), MemberType = typeof(Images))]
    public void Protos_are_in_the_build_stage_where_the_contracts_project_looks_for_them(string service)
    {
        var build = Images.Named(service).Dockerfile.Stages.Single(s => s.All("RUN").Any(r => r.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal)));
        foreach (var project in ProjectClosure(PublishedProject(service)))
        {
            var xml = XDocument.Load(Repo.PathOf(project));
            foreach (var include in xml.Descendants("Protobuf").Select(p => (string?)p.Attribute("Include")).OfType<string>())
            {
                // ../../protos/multicodex/**/*.proto from src/MultiCodex.Contracts → protos/…: copied under the same path.
                var relative = Dockerfile.CombineUnix("/" + project[..project.LastIndexOf('/')], include).TrimStart('/');
                var top = relative.Split('/')[0];
                Assert.Contains(build.Copies.SelectMany(c => c.Sources), s => s.TrimEnd('/') == top);
            }
        }
    }

    [Fact]
    public void The_dashboard_build_finds_the_protos_where_buf_gen_yaml_says()
    {
        var build = Images.Dashboard.Dockerfile.Stages.Single(s => s.All("RUN").Any(r => r.Arguments.StartsWith("npm run build", StringComparison.Ordinal)));
        var run = build.All("RUN").First(r => r.Arguments.StartsWith("npm run build", StringComparison.Ordinal));
        var workdir = build.WorkdirAt(run);
        var bufGen = new YamlDotNet.RepresentationModel.YamlStream();
        bufGen.Load(new StringReader(Repo.Read("dashboard/buf.gen.yaml")));
        var inputs = (YamlDotNet.RepresentationModel.YamlSequenceNode)((YamlDotNet.RepresentationModel.YamlMappingNode)bufGen.Documents[0].RootNode)
            .Children[new YamlDotNet.RepresentationModel.YamlScalarNode("inputs")];
        var dirs = inputs.Children.OfType<YamlDotNet.RepresentationModel.YamlMappingNode>()
            .Select(i => ((YamlDotNet.RepresentationModel.YamlScalarNode)i.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("directory")]).Value!)
            .ToList();
        Assert.NotEmpty(dirs);
        foreach (var dir in dirs)
        {
            var expected = Dockerfile.CombineUnix(workdir, dir);
            var copy = build.Copies.SingleOrDefault(c => c.Instruction.Line < run.Line && c.Sources.Any(s => s.TrimEnd('/') == "protos"));
            Assert.True(copy is not null, "the dashboard build stage does not copy protos/");
            Assert.Equal(expected, Dockerfile.CombineUnix(build.WorkdirAt(copy.Instruction), copy.Destination));
        }
    }

    [Theory]
    [MemberData(nameof(Images.Services), MemberType = typeof(Images))]
    public void Build_stages_lay_the_sources_out_as_in_the_repository(string service)
    {
        // One folder stands for the repository root, so relative paths (../protos, ../../protos) resolve as they do locally.
        var file = Images.Named(service).Dockerfile;
        var roots = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in file.Stages.Take(file.Stages.Count - 1))
        {
            foreach (var copy in stage.Copies.Where(c => c.From is null))
            {
                var destination = Dockerfile.CombineUnix(stage.WorkdirAt(copy.Instruction), copy.Destination);
                foreach (var source in copy.Sources)
                {
                    var relative = source.TrimEnd('/');
                    var isDirectory = Directory.Exists(Repo.PathOf(relative));
                    var landsAt = isDirectory || !copy.Destination.EndsWith('/') && copy.Sources.Count == 1 && !copy.Destination.EndsWith('.')
                        ? destination
                        : Dockerfile.CombineUnix(destination, Path.GetFileName(relative));
                    Assert.EndsWith("/" + relative, landsAt, StringComparison.Ordinal);
                    roots.Add(landsAt[..^(relative.Length + 1)]);
                }
            }
        }
        Assert.Single(roots);
    }

    [Theory]
    [MemberData(nameof(Images.Services), MemberType = typeof(Images))]
    public void Every_source_the_build_copies_exists_and_is_not_dockerignored(string service)
    {
        var file = Images.Named(service).Dockerfile;
        var ignore = Repo.DockerIgnore;
        foreach (var copy in file.Stages.SelectMany(s => s.Copies).Where(c => c.From is null))
        {
            foreach (var source in copy.Sources)
            {
                Assert.True(Repo.Exists(source), $"{file.Path} {copy.Instruction}: {source} is not in the repository");
                Assert.False(ignore.IsExcluded(source), $"{file.Path} {copy.Instruction}: .dockerignore leaves {source} out of the context");
            }
        }
    }

    [Fact]
    public void Controls_data_folder_belongs_to_the_user_it_runs_as()
    {
        var final = Images.Control.Dockerfile.Final;
        Assert.Equal("/data", final.Environment["DATA_DIR"]);
        var user = final.All("USER").Last();
        var uid = user.Words.Single().Split(':')[0];
        var prepare = final.All("RUN").Where(r => r.Line < user.Line && r.Arguments.Contains("/data", StringComparison.Ordinal)).ToList();
        Assert.Contains(prepare, r => Regex.IsMatch(r.Arguments, @"\bmkdir\b.*\s/data\b"));
        Assert.Contains(prepare, r => Regex.IsMatch(r.Arguments, $@"\bchown\s+(-R\s+)?{Regex.Escape(uid)}(:\S+)?\s+/data\b"));
    }

    [Theory]
    [MemberData(nameof(Images.DotnetServices), MemberType = typeof(Images))]
    public void The_published_project_is_the_entrypoint_dll(string service)
    {
        var image = Images.Named(service);
        var project = PublishedProject(service);
        var xml = XDocument.Load(Repo.PathOf(project));
        var assembly = xml.Descendants("AssemblyName").Select(e => e.Value).LastOrDefault() ?? Path.GetFileNameWithoutExtension(project);
        Assert.Equal(image.Entrypoint[1], assembly + ".dll");
        // Framework-dependent (the dll runs on the aspnet image's dotnet), no apphost needed.
        var publish = image.Dockerfile.Stages.SelectMany(s => s.All("RUN")).Single(r => r.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.DoesNotMatch(@"--self-contained(?!\s*false)|\s-r\s|--runtime\b", publish.Arguments);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet", image.Dockerfile.Final.Image.Repository, StringComparison.Ordinal);
    }

    internal static string PublishedProject(string service)
    {
        var publish = Images.Named(service).Dockerfile.Stages.SelectMany(s => s.All("RUN"))
            .Single(r => r.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal));
        return publish.Words.Single(w => w.EndsWith(".csproj", StringComparison.Ordinal));
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    internal static IReadOnlyList<string> ProjectClosure(string project)
    {
        var seen = new List<string>();
        var queue = new Queue<string>([project]);
        while (queue.TryDequeue(out var next))
        {
            if (seen.Contains(next))
            {
                continue;
            }
            seen.Add(next);
            var dir = "/" + next[..next.LastIndexOf('/')];
            foreach (var include in XDocument.Load(Repo.PathOf(next)).Descendants("ProjectReference").Select(p => (string?)p.Attribute("Include")).OfType<string>())
            {
                queue.Enqueue(Dockerfile.CombineUnix(dir, include.Replace('\\', '/')).TrimStart('/'));
            }
        }
        return seen;
    }
}
