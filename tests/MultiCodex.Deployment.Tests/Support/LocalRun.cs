using System.Text.RegularExpressions;

namespace MultiCodex.Deployment.Tests.Support;

/// <summary>A .NET app as scripts/lib.sh starts it: dotnet "$APPS_DIR/&lt;Project&gt;/$CONFIG/&lt;Dll&gt;".</summary>
public sealed record LocalDotnetApp(string Project, string Dll);

/// <summary>A variable lib.sh sets for the dashboard's node process, derived from another one (PORT="$(port_of "$DASHBOARD_URL")").</summary>
public sealed record DerivedVariable(string Name, string Function, string Source);

/// <summary>The dashboard as lib.sh starts it: node "$REPO_ROOT/dashboard/&lt;dir&gt;/&lt;script&gt;" with some variables.</summary>
public sealed record LocalNodeApp(string PathInDashboard, IReadOnlyList<DerivedVariable> Variables)
{
    public string Directory => PathInDashboard.Contains('/') ? PathInDashboard[..PathInDashboard.LastIndexOf('/')] : "";
    public string Script => PathInDashboard[(PathInDashboard.LastIndexOf('/') + 1)..];
}

/// <summary>How the apps run without Docker: read from scripts/lib.sh (start_stack) and scripts/run.sh (the defaults).</summary>
public static partial class LocalRun
{
    [GeneratedRegex(@"dotnet\s+""\$APPS_DIR/(?<project>[^/""]+)/\$CONFIG/(?<dll>[^/""]+\.dll)""")]
    private static partial Regex DotnetStart();

    [GeneratedRegex(@"^(?<prefix>.*?)\bnode\s+""\$REPO_ROOT/dashboard/(?<path>[^""]+)""", RegexOptions.Multiline)]
    private static partial Regex NodeStart();

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)=""\$\((?<fn>\w+)\s+""\$(?<source>[A-Za-z_][A-Za-z0-9_]*)""\)""")]
    private static partial Regex DerivedAssignment();

    // Top-level lines only (column 0): an indented export is inside a branch, such as the demo mode's own DATA_DIR.
    [GeneratedRegex(@"^export\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)=""\$\{\k<name>:-(?<default>[^}]*)\}""", RegexOptions.Multiline)]
    private static partial Regex ExportedDefault();

    public static string LibSh => Repo.Read("scripts/lib.sh");

    public static string RunSh => Repo.Read("scripts/run.sh");

    /// <summary>The body of start_stack(): what actually starts, not comments elsewhere in the file.</summary>
    public static string StartStack
    {
        get
        {
            var text = LibSh;
            var start = text.IndexOf("start_stack()", StringComparison.Ordinal);
            if (start < 0)
            {
                throw new InvalidOperationException("scripts/lib.sh has no start_stack()");
            }
            var end = text.IndexOf("\n}", start, StringComparison.Ordinal);
            return text[start..(end < 0 ? text.Length : end)];
        }
    }

    public static IReadOnlyList<LocalDotnetApp> DotnetApps =>
        DotnetStart().Matches(StartStack).Select(m => new LocalDotnetApp(m.Groups["project"].Value, m.Groups["dll"].Value)).ToList();

    public static LocalNodeApp Dashboard
    {
        get
        {
            var match = NodeStart().Match(StartStack);
            if (!match.Success)
            {
                throw new InvalidOperationException("start_stack() in scripts/lib.sh starts no node \"$REPO_ROOT/dashboard/…\"");
            }
            var variables = DerivedAssignment().Matches(match.Groups["prefix"].Value)
                .Select(m => new DerivedVariable(m.Groups["name"].Value, m.Groups["fn"].Value, m.Groups["source"].Value))
                .ToList();
            return new LocalNodeApp(match.Groups["path"].Value, variables);
        }
    }

    /// <summary>The unconditional export NAME="${NAME:-default}" lines of scripts/run.sh (a later one wins).</summary>
    public static IReadOnlyDictionary<string, string> RunDefaults
    {
        get
        {
            var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match match in ExportedDefault().Matches(RunSh))
            {
                defaults[match.Groups["name"].Value] = match.Groups["default"].Value;
            }
            return defaults;
        }
    }

    /// <summary>The port of a URL, as lib.sh's port_of reads it.</summary>
    public static int PortOf(string url) => new Uri(url).Port;

    /// <summary>The host of a URL, as lib.sh's host_of reads it.</summary>
    public static string HostOf(string url) => new Uri(url).Host;
}
