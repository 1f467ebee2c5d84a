using MultiCodex.Deployment.Tests.Support;

namespace MultiCodex.Deployment.Tests;

/// <summary>
/// The container files set only settings the documentation names: README.md (its configuration table is the public
/// contract in the repository) and, when found, design.md (the owner's design contract, kept outside the repository).
/// </summary>
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

    [Fact]
    public void The_names_the_configuration_tables_define_are_spelled_as_there()
    {
        var set = NamesSet();
        foreach (var table in Docs.SettingsTables())
        {
            foreach (var name in table.Settings.Keys)
            {
                Assert.True(set.ContainsKey(name), $"{table.Document} documents {name}, but neither docker-compose.yml nor an image sets it");
            }
        }
    }

    [Fact]
    public void Every_name_the_container_files_set_is_documented()
    {
        var documented = Docs.NamesIn(File.ReadAllText(Repo.ReadmePath)).ToHashSet();
        if (Repo.DesignMdPath is { } designMd)
        {
            documented.UnionWith(Docs.NamesIn(File.ReadAllText(designMd)));
        }
        var missing = NamesSet().Where(n => !documented.Contains(n.Key)).Select(n => $"{n.Key} (set in {n.Value})").ToList();
        Assert.True(missing.Count == 0, "not documented in README.md (or design.md): " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_setting_the_readme_lists_can_be_set_through_compose_with_the_readmes_default()
    {
        // README.md's configuration table: a setting added there and forgotten here fails.
        var readme = Docs.SettingsTables().First().Settings;
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
