using System.Text.RegularExpressions;

namespace MultiCodex.Deployment.Tests.Support;

/// <summary>A row of design.md's configuration table: | `NAME` | default | meaning |.</summary>
public sealed record DocumentedSetting(string Name, string DefaultCell, string Meaning)
{
    /// <summary>The first `code` value of the default cell (for DATA_DIR: the container one, "/data"), if any.</summary>
    public string? Default => Regex.Match(DefaultCell, "`([^`]*)`") is { Success: true } m ? m.Groups[1].Value : null;
}

/// <summary>The environment names the documentation names: design.md's table and every `NAME` in README.md.</summary>
public static partial class Docs
{
    [GeneratedRegex(@"^\|\s*`(?<name>[A-Z][A-Z0-9_]*)`\s*\|(?<default>[^|]*)\|(?<meaning>[^\n]*)", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"`(?<name>[A-Z][A-Z0-9_]*)(?:=[^`]*)?`")]
    private static partial Regex CodeName();

    [GeneratedRegex(@"^\s*\|\s*(?<name>[A-Z][A-Z0-9_]*)\s*\|", RegexOptions.Multiline)]
    private static partial Regex PlainTableName();

    public static IReadOnlyDictionary<string, DocumentedSetting> DesignSettings(string designMd) =>
        TableRow().Matches(designMd)
            .Select(m => new DocumentedSetting(m.Groups["name"].Value, m.Groups["default"].Value.Trim(), m.Groups["meaning"].Value.Trim()))
            .GroupBy(s => s.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>Names a document names: `NAME` or `NAME=…` in code spans, or the first cell of a table row.</summary>
    public static IReadOnlySet<string> NamesIn(string markdown) =>
        CodeName().Matches(markdown).Select(m => m.Groups["name"].Value)
            .Concat(PlainTableName().Matches(markdown).Select(m => m.Groups["name"].Value))
            .ToHashSet(StringComparer.Ordinal);
}
