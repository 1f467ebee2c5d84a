namespace MultiCodex.Deployment.Tests.Support;

/// <summary>
/// Where the repository's files are: found from the test assembly's folder (artifacts/bin/… inside the repo), or
/// MULTICODEX_REPO_ROOT (to run these checks against another checkout, or a copy with a deliberate mistake).
/// </summary>
public static class Repo
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        if (Environment.GetEnvironmentVariable("MULTICODEX_REPO_ROOT") is { Length: > 0 } overridden)
        {
            return Path.GetFullPath(overridden);
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MultiCodex.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no MultiCodex.slnx above {AppContext.BaseDirectory}");
    });

    public static string Root => RootPath.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    public static bool Exists(string relative) => File.Exists(PathOf(relative)) || Directory.Exists(PathOf(relative));

    public static DockerIgnore DockerIgnore => DockerIgnore.Load(PathOf(".dockerignore"));

    public static ComposeFile Compose => ComposeFile.Load(PathOf("docker-compose.yml"));

    /// <summary>
    /// The owner's design contract (design.md), which is kept outside the repository: in shared/ beside the checkout
    /// where the project's own CI clones it, at $MULTICODEX_DESIGN_MD, or as a copy in the repository. Optional: the
    /// checks read README.md's configuration table always, and design.md's as well when it is found.
    /// </summary>
    public static string? DesignMdPath
    {
        get
        {
            var candidates = new[]
            {
                Environment.GetEnvironmentVariable("MULTICODEX_DESIGN_MD"),
                PathOf("design.md"),
                PathOf("docs/design.md"),
                Path.Combine(Root, "..", "shared", "design.md"),
            };
            return candidates.Where(c => !string.IsNullOrEmpty(c)).Select(c => Path.GetFullPath(c!)).FirstOrDefault(File.Exists);
        }
    }

    public static string ReadmePath => PathOf("README.md");
}
