using System.Text;
using System.Text.RegularExpressions;

namespace MultiCodex.Deployment.Tests.Support;

/// <summary>
/// .dockerignore as Docker reads it: one pattern a line (# comments), Go filepath.Match syntax plus "**" for any
/// number of folders, "!" re-includes, the last matching line wins, and a path is excluded also when one of its
/// parent folders is.
/// </summary>
public sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude, string Text)> _rules = [];

    public DockerIgnore(string text)
    {
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var exclude = !line.StartsWith('!');
            var pattern = Normalize(exclude ? line : line[1..].Trim());
            if (pattern.Length > 0)
            {
                _rules.Add((ToRegex(pattern), exclude, line));
            }
        }
    }

    public IReadOnlyList<string> Patterns => _rules.Select(r => r.Text).ToList();

    public static DockerIgnore Load(string path) => new(File.Exists(path) ? File.ReadAllText(path) : "");

    /// <summary>Whether a path relative to the build context (forward slashes) is left out of the context.</summary>
    public bool IsExcluded(string relativePath)
    {
        var path = Normalize(relativePath);
        var segments = path.Split('/');
        // Docker drops a folder when it matches, so anything under an excluded folder is excluded too
        // (unless a later "!" rule names it).
        for (var depth = 1; depth <= segments.Length; depth++)
        {
            var prefix = string.Join('/', segments[..depth]);
            bool? verdict = null;
            foreach (var (pattern, exclude, _) in _rules)
            {
                if (pattern.IsMatch(prefix))
                {
                    verdict = exclude;
                }
            }
            if (verdict == true && (depth == segments.Length || !ReIncludedBelow(path)))
            {
                return true;
            }
        }
        return false;
    }

    private bool ReIncludedBelow(string path) => _rules.Any(r => !r.Exclude && r.Pattern.IsMatch(path));

    private static string Normalize(string path)
    {
        var parts = path.Replace('\\', '/').Split('/').Where(p => p is not ("" or ".")).ToList();
        return string.Join('/', parts);
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                {
                    i++;
                    regex.Append("(?:.*/)?");
                }
                else
                {
                    regex.Append(".*");
                }
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
