using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MultiCodex.Deployment.Tests.Support;

/// <summary>One instruction of a Dockerfile, after line continuations are joined and comments dropped.</summary>
public sealed record Instruction(string Keyword, string Arguments, int Line)
{
    /// <summary>The JSON-array ("exec") form of the arguments, or null when they are in shell form.</summary>
    public IReadOnlyList<string>? ExecForm => Dockerfile.TryParseExecForm(Arguments);

    /// <summary>The arguments split as a shell would (quotes grouped and removed).</summary>
    public IReadOnlyList<string> Words => Dockerfile.SplitWords(Arguments);

    public override string ToString() => $"line {Line}: {Keyword} {Arguments}";
}

/// <summary>An image reference: repository, optional tag, optional digest.</summary>
public sealed record ImageReference(string Repository, string? Tag, string? Digest)
{
    public static ImageReference Parse(string text)
    {
        string? digest = null;
        var at = text.IndexOf('@');
        if (at >= 0)
        {
            digest = text[(at + 1)..];
            text = text[..at];
        }
        // A colon after the last slash separates the tag; one before it belongs to a registry's port.
        var colon = text.LastIndexOf(':');
        return colon > text.LastIndexOf('/')
            ? new ImageReference(text[..colon], text[(colon + 1)..], digest)
            : new ImageReference(text, null, digest);
    }

    public override string ToString() => Repository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);
}

/// <summary>COPY or ADD: flags, sources (relative to the build context, or to another stage with --from), destination.</summary>
public sealed record CopySpec(string? From, string? Chown, IReadOnlyList<string> Sources, string Destination, Instruction Instruction)
{
    public static CopySpec Parse(Instruction instruction)
    {
        var words = instruction.ExecForm ?? instruction.Words;
        var flags = words.TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToList();
        var paths = words.Skip(flags.Count).ToList();
        if (paths.Count < 2)
        {
            throw new FormatException($"{instruction}: COPY needs at least one source and a destination");
        }
        return new CopySpec(Flag(flags, "from"), Flag(flags, "chown"), paths[..^1], paths[^1], instruction);
    }

    private static string? Flag(List<string> flags, string name) =>
        flags.Select(f => f.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0] == "--" + name)?[1];
}

/// <summary>HEALTHCHECK [options] CMD command | HEALTHCHECK NONE.</summary>
public sealed record HealthcheckSpec(IReadOnlyDictionary<string, string> Options, bool None, IReadOnlyList<string>? ExecForm, string Command)
{
    private static readonly Regex Shape = new(@"^(?<opts>(?:--\S+\s+)*)(?<kind>CMD|NONE)\b\s*(?<cmd>.*)$",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant);

    public static HealthcheckSpec Parse(Instruction instruction)
    {
        var match = Shape.Match(instruction.Arguments);
        if (!match.Success)
        {
            throw new FormatException($"{instruction}: expected HEALTHCHECK [options] CMD … or HEALTHCHECK NONE");
        }
        var options = Dockerfile.SplitWords(match.Groups["opts"].Value)
            .Select(o => o.Split('=', 2))
            .ToDictionary(p => p[0].TrimStart('-'), p => p.Length == 2 ? p[1] : "", StringComparer.Ordinal);
        var command = match.Groups["cmd"].Value.Trim();
        var none = match.Groups["kind"].Value.Equals("NONE", StringComparison.OrdinalIgnoreCase);
        return new HealthcheckSpec(options, none, none ? null : Dockerfile.TryParseExecForm(command), command);
    }
}

/// <summary>A build stage: FROM image [AS name] and the instructions up to the next FROM.</summary>
public sealed class Stage(int index, ImageReference image, string? name, Instruction from)
{
    public int Index { get; } = index;
    public ImageReference Image { get; } = image;
    public string? Name { get; } = name;
    public Instruction From { get; } = from;
    public List<Instruction> Instructions { get; } = [];

    public IEnumerable<Instruction> All(string keyword) =>
        Instructions.Where(i => i.Keyword.Equals(keyword, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<CopySpec> Copies => All("COPY").Concat(All("ADD")).OrderBy(i => i.Line).Select(CopySpec.Parse);

    /// <summary>The environment this stage's ENV instructions set (later ones win), not counting the base image's.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var instruction in All("ENV"))
            {
                foreach (var (key, value) in Dockerfile.ParseEnv(instruction))
                {
                    env[key] = value;
                }
            }
            return env;
        }
    }

    /// <summary>The working directory in effect at an instruction of this stage ("/" before any WORKDIR).</summary>
    public string WorkdirAt(Instruction instruction)
    {
        var dir = "/";
        foreach (var workdir in All("WORKDIR").Where(w => w.Line < instruction.Line))
        {
            var path = Dockerfile.SplitWords(workdir.Arguments).Single();
            dir = path.StartsWith('/') ? path : Dockerfile.CombineUnix(dir, path);
        }
        return dir;
    }

    public override string ToString() => Name is null ? $"stage {Index} ({Image})" : $"stage {Name} ({Image})";
}

/// <summary>
/// A small Dockerfile reader of our own: logical lines (backslash continuations, comment lines dropped, also inside
/// a continuation), instructions and stages. Enough for the checks here; it does not expand ARGs and does not
/// understand BuildKit heredocs or a changed escape directive (the project's Dockerfiles use neither).
/// </summary>
public sealed class Dockerfile
{
    private Dockerfile(string path, IReadOnlyList<Instruction> instructions, IReadOnlyList<Stage> stages)
    {
        Path = path;
        Instructions = instructions;
        Stages = stages;
    }

    public string Path { get; }
    public IReadOnlyList<Instruction> Instructions { get; }
    public IReadOnlyList<Stage> Stages { get; }
    public Stage Final => Stages[^1];

    public static Dockerfile Load(string path) => Parse(File.ReadAllText(path), path);

    public static Dockerfile Parse(string text, string path = "Dockerfile")
    {
        var instructions = ReadInstructions(text);
        var stages = new List<Stage>();
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                var words = instruction.Words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
                if (words.Count is not (1 or 3) || (words.Count == 3 && !words[1].Equals("AS", StringComparison.OrdinalIgnoreCase)))
                {
                    throw new FormatException($"{path} {instruction}: expected FROM [--platform=…] image [AS name]");
                }
                stages.Add(new Stage(stages.Count, ImageReference.Parse(words[0]), words.Count == 3 ? words[2] : null, instruction));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add(instruction);
            }
            else if (instruction.Keyword != "ARG")
            {
                throw new FormatException($"{path} {instruction}: only ARG may come before the first FROM");
            }
        }
        if (stages.Count == 0)
        {
            throw new FormatException($"{path}: no FROM");
        }
        return new Dockerfile(path, instructions, stages);
    }

    private static List<Instruction> ReadInstructions(string text)
    {
        var result = new List<Instruction>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var logical = new StringBuilder();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            // Comment lines (parser directives included) and blank lines are dropped, also inside a continuation.
            if (trimmed.StartsWith('#') || trimmed.Length == 0)
            {
                continue;
            }
            if (logical.Length == 0)
            {
                start = i + 1;
            }
            var end = line.TrimEnd();
            if (end.EndsWith('\\'))
            {
                logical.Append(end, 0, end.Length - 1);
                continue;
            }
            logical.Append(line);
            Add(result, logical.ToString(), start);
            logical.Clear();
        }
        if (logical.Length > 0)
        {
            Add(result, logical.ToString(), start);
        }
        return result;
    }

    private static void Add(List<Instruction> result, string logical, int line)
    {
        var text = logical.Trim();
        var space = text.IndexOfAny([' ', '\t']);
        var keyword = (space < 0 ? text : text[..space]).ToUpperInvariant();
        var arguments = space < 0 ? "" : text[(space + 1)..].Trim();
        if (!Regex.IsMatch(keyword, "^[A-Z]+$"))
        {
            throw new FormatException($"line {line}: '{keyword}' is not an instruction");
        }
        result.Add(new Instruction(keyword, arguments, line));
    }

    public static IReadOnlyList<string>? TryParseExecForm(string arguments)
    {
        var text = arguments.Trim();
        if (!text.StartsWith('[') || !text.EndsWith(']'))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<string[]>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Splits on unquoted whitespace; double and single quotes group and are removed, backslash escapes.</summary>
    public static IReadOnlyList<string> SplitWords(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is null && char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '\\' && quote != '\'' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
            }
            else if (quote is null && c is '"' or '\'')
            {
                quote = c;
            }
            else if (quote == c)
            {
                quote = null;
            }
            else
            {
                word.Append(c);
            }
        }
        if (quote is not null)
        {
            throw new FormatException($"unterminated quote in: {text}");
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    /// <summary>ENV key=value … (quotes allowed), or the legacy ENV key value-to-end-of-line.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ParseEnv(Instruction instruction)
    {
        var words = instruction.Words;
        if (words.Count == 0)
        {
            throw new FormatException($"{instruction}: ENV needs a name");
        }
        if (!words[0].Contains('=', StringComparison.Ordinal))
        {
            var space = instruction.Arguments.IndexOfAny([' ', '\t']);
            yield return new(words[0], space < 0 ? "" : instruction.Arguments[(space + 1)..].Trim());
            yield break;
        }
        foreach (var word in words)
        {
            var pair = word.Split('=', 2);
            if (pair.Length != 2 || pair[0].Length == 0)
            {
                throw new FormatException($"{instruction}: '{word}' is not name=value");
            }
            yield return new(pair[0], pair[1]);
        }
    }

    public static string CombineUnix(string dir, string path)
    {
        var parts = new List<string>();
        foreach (var part in (path.StartsWith('/') ? path : dir.TrimEnd('/') + "/" + path).Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }
}
