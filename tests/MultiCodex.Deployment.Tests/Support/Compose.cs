using YamlDotNet.RepresentationModel;

namespace MultiCodex.Deployment.Tests.Support;

/// <summary>A published port in either of Compose's syntaxes: "[ip:]published:target[/proto]" or the long mapping.</summary>
public sealed record PortMapping(string? HostIp, string Published, string Target, string Raw);

/// <summary>A volume in either syntax: "source:target[:mode]" or the long mapping.</summary>
public sealed record VolumeMount(string? Source, string Target, string Raw);

/// <summary>A docker-compose.yml read as YAML, values as written (no interpolation), with the shapes Compose allows.</summary>
public sealed class ComposeFile
{
    private ComposeFile(YamlMappingNode root) => Root = root;

    public YamlMappingNode Root { get; }

    public static ComposeFile Parse(string yaml)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(yaml);
        stream.Load(reader);
        return new ComposeFile((YamlMappingNode)stream.Documents.Single().RootNode);
    }

    public static ComposeFile Load(string path) => Parse(File.ReadAllText(path));

    public IReadOnlyList<string> TopLevelKeys => Root.Children.Keys.Select(Scalar).ToList();

    public IReadOnlyDictionary<string, ComposeService> Services =>
        ((YamlMappingNode)Root.Children[new YamlScalarNode("services")]).Children
            .ToDictionary(kv => Scalar(kv.Key), kv => new ComposeService(Scalar(kv.Key), (YamlMappingNode)kv.Value), StringComparer.Ordinal);

    internal static string Scalar(YamlNode node) =>
        node is YamlScalarNode { Value: var value } ? value ?? "" : throw new FormatException($"expected a scalar at {node.Start}");
}

public sealed class ComposeService(string name, YamlMappingNode node)
{
    public string Name { get; } = name;
    public YamlMappingNode Node { get; } = node;

    public IReadOnlyList<string> Keys => Node.Children.Keys.Select(ComposeFile.Scalar).ToList();

    public YamlNode? this[string key] => Node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public string? Text(string key) => this[key] is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>build: "context" or build: {context, dockerfile}.</summary>
    public (string? Context, string? Dockerfile) Build => this["build"] switch
    {
        YamlScalarNode s => (s.Value, null),
        YamlMappingNode m => (Child(m, "context"), Child(m, "dockerfile")),
        _ => (null, null),
    };

    /// <summary>environment as a mapping (NAME: value) or a list ("NAME=value"); a name without a value maps to null.</summary>
    public IReadOnlyDictionary<string, string?> Environment => this["environment"] switch
    {
        null => new Dictionary<string, string?>(),
        YamlMappingNode m => m.Children.ToDictionary(kv => ComposeFile.Scalar(kv.Key), kv => (kv.Value as YamlScalarNode)?.Value, StringComparer.Ordinal),
        YamlSequenceNode s => s.Children.Select(ComposeFile.Scalar).Select(e => e.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : null, StringComparer.Ordinal),
        var other => throw new FormatException($"{Name}.environment: unexpected {other.NodeType}"),
    };

    public IReadOnlyList<PortMapping> Ports => this["ports"] is YamlSequenceNode s
        ? s.Children.Select(ParsePort).ToList()
        : [];

    public IReadOnlyList<VolumeMount> Volumes => this["volumes"] is YamlSequenceNode s
        ? s.Children.Select(ParseVolume).ToList()
        : [];

    /// <summary>depends_on as a list (condition service_started) or a mapping with conditions.</summary>
    public IReadOnlyDictionary<string, string> DependsOn => this["depends_on"] switch
    {
        null => new Dictionary<string, string>(),
        YamlSequenceNode s => s.Children.ToDictionary(ComposeFile.Scalar, _ => "service_started", StringComparer.Ordinal),
        YamlMappingNode m => m.Children.ToDictionary(kv => ComposeFile.Scalar(kv.Key),
            kv => kv.Value is YamlMappingNode c ? Child(c, "condition") ?? "service_started" : "service_started", StringComparer.Ordinal),
        var other => throw new FormatException($"{Name}.depends_on: unexpected {other.NodeType}"),
    };

    private static string? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;

    private static PortMapping ParsePort(YamlNode node)
    {
        if (node is YamlMappingNode m)
        {
            return new PortMapping(Child(m, "host_ip"), Child(m, "published") ?? "", Child(m, "target") ?? "", m.ToString());
        }
        var raw = ComposeFile.Scalar(node);
        var text = raw.Split('/')[0];
        // Split on the colons that are not inside ${…}.
        var parts = SplitOutsideBraces(text, ':');
        return parts.Count switch
        {
            1 => new PortMapping(null, "", parts[0], raw),
            2 => new PortMapping(null, parts[0], parts[1], raw),
            3 => new PortMapping(parts[0], parts[1], parts[2], raw),
            _ => throw new FormatException($"port '{raw}' has an unexpected shape"),
        };
    }

    private static VolumeMount ParseVolume(YamlNode node)
    {
        if (node is YamlMappingNode m)
        {
            return new VolumeMount(Child(m, "source"), Child(m, "target") ?? "", m.ToString());
        }
        var raw = ComposeFile.Scalar(node);
        var parts = SplitOutsideBraces(raw, ':');
        return parts.Count == 1 ? new VolumeMount(null, parts[0], raw) : new VolumeMount(parts[0], parts[1], raw);
    }

    internal static List<string> SplitOutsideBraces(string text, char separator)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '{')
            {
                depth++;
            }
            else if (text[i] == '}')
            {
                depth--;
            }
            else if (text[i] == separator && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }
}
