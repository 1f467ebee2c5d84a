using System.Text.RegularExpressions;

namespace MultiCodex.Deployment.Tests.Support;

/// <summary>A row of a configuration table: | `NAME` | default | meaning |.</summary>
public sealed partial record DocumentedSetting(string Name, string DefaultCell, string Meaning)
{
    /// <summary>The first `code` value of the default cell, if any.</summary>
    public string? Default => Regex.Match(DefaultCell, "`([^`]*)`") is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The value the cell names for containers ("`./data` (containers `/data`)", "`/data` in containers"), if any.</summary>
    public string? ContainerDefault => ContainerValue().Match(DefaultCell) is { Success: true } m ? m.Groups["value"].Value : null;

    [GeneratedRegex(@"`(?<value>[^`]*)`\s+in containers|containers\s+`(?<value>[^`]*)`")]
    private static partial Regex ContainerValue();
}

/// <summary>One configuration table the container files are held to, and the document it comes from.</summary>
public sealed record SettingsTable(string Document, IReadOnlyDictionary<string, DocumentedSetting> Settings);

/// <summary>The settings the documentation names: README.md's configuration table and, when found, design.md's.</summary>
public static partial class Docs
{
    /// <summary>
    /// README.md's configuration table, the public contract in the repository (always there, so no check skips), then
    /// design.md's when it is found (the owner's design contract, kept outside the repository; see <see cref="Repo.DesignMdPath"/>).
    /// </summary>
    public static IEnumerable<SettingsTable> SettingsTables()
    {
        var readme = DesignSettings(File.ReadAllText(Repo.ReadmePath));
        Assert.True(readme.Count >= 10, $"README.md's configuration table was not found (read {readme.Count} rows)");
        yield return new SettingsTable("README.md", readme);
        if (Repo.DesignMdPath is { } designMd)
        {
            var design = DesignSettings(File.ReadAllText(designMd));
            Assert.True(design.Count >= 10, $"design.md's configuration table was not found (read {design.Count} rows)");
            yield return new SettingsTable("design.md", design);
        }
    }

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
