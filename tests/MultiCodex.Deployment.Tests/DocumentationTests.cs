using MultiCodex.Deployment.Tests.Support;

namespace MultiCodex.Deployment.Tests;

/// <summary>The container files set only settings the documentation names (design.md's table, README.md).</summary>
public sealed class DocumentationTests
{
    /// <summary>Every name docker-compose.yml sets, and every MultiCodex name the final images set.</summary>
    private static IReadOnlyDictionary<string, string> NamesSet()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in Repo.Compose.Services.Values)
        {
            foreach (var name in service.Environment.Keys)
            {
                names.TryAdd(name, $"docker-compose.yml ({service.Name})");
            }
        }
        var dashboardServerVariables = LocalRun.Dashboard.Variables.Select(v => v.Name).ToHashSet();
        foreach (var image in Images.All)
        {
            foreach (var name in image.Dockerfile.Final.Environment.Keys)
            {
                // The runtimes' own names, and the ones lib.sh itself gives the Next.js server (PORT, HOSTNAME) are not ours.
                var isOurs = !Images.PlatformVariables.Contains(name) && !(image == Images.Dashboard && dashboardServerVariables.Contains(name));
                if (isOurs)
                {
                    names.TryAdd(name, image.DockerfilePath);
                }
            }
        }
        return names;
    }

    [DesignFact]
    public void The_names_design_md_defines_are_spelled_as_there()
    {
        var design = Docs.DesignSettings(File.ReadAllText(Repo.DesignMdPath!));
        Assert.True(design.Count >= 10, $"design.md's configuration table was not found (read {design.Count} rows)");
        var set = NamesSet();
        foreach (var name in design.Keys)
        {
            Assert.True(set.ContainsKey(name), $"design.md documents {name}, but neither docker-compose.yml nor an image sets it");
        }
    }

    [ReadmeFact]
    public void Every_name_the_container_files_set_is_documented()
    {
        var documented = Docs.NamesIn(File.ReadAllText(Repo.DesignMdPath!)).Union(Docs.NamesIn(File.ReadAllText(Repo.ReadmePath!))).ToHashSet();
        var missing = NamesSet().Where(n => !documented.Contains(n.Key)).Select(n => $"{n.Key} (set in {n.Value})").ToList();
        Assert.True(missing.Count == 0, "not documented in design.md or README.md: " + string.Join(", ", missing));
    }

    [ReadmeFact]
    public void Every_setting_the_readme_lists_can_be_set_through_compose_with_the_readmes_default()
    {
        // README.md's configuration table (same shape as design.md's): a setting added there and forgotten here fails.
        var readme = Docs.DesignSettings(File.ReadAllText(Repo.ReadmePath!));
        Assert.True(readme.Count >= 10, $"README.md's configuration table was not found (read {readme.Count} rows)");
        var services = Repo.Compose.Services.Values;
        foreach (var (name, documented) in readme)
        {
            var values = services.Where(s => s.Environment.ContainsKey(name)).Select(s => s.Environment[name]!).ToList();
            Assert.True(values.Count > 0, $"README.md documents {name}, but docker-compose.yml passes it to no service");
            foreach (var value in values)
            {
                // A fixed value is wiring (checked elsewhere); a non-empty fallback must be the README's default.
                if (Interpolation.IsWholeReferenceTo(value, name, out var fallback) && fallback is { Length: > 0 } && name != "ADMIN_TOKEN")
                {
                    Assert.Equal(documented.Default, fallback);
                }
            }
        }
    }
}
