using System.Text;
using System.Text.RegularExpressions;

namespace MultiCodex.Deployment.Tests.Support;

/// <summary>One ${…} or $NAME reference in a compose value.</summary>
public sealed record VariableReference(string Name, string? Operator, string? Default);

/// <summary>
/// Compose's variable substitution: $NAME, ${NAME}, ${NAME:-default} (unset or empty), ${NAME-default} (unset),
/// ${NAME:?err} / ${NAME?err} (required) and $$ for a literal dollar.
/// </summary>
public static partial class Interpolation
{
    [GeneratedRegex(@"\$(?:(?<dollar>\$)|\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?])(?<arg>[^}]*))?\}|(?<bare>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Reference();

    public static IReadOnlyList<VariableReference> References(string value) =>
        Reference().Matches(value)
            .Where(m => !m.Groups["dollar"].Success)
            .Select(m => m.Groups["bare"].Success
                ? new VariableReference(m.Groups["bare"].Value, null, null)
                : new VariableReference(m.Groups["name"].Value, m.Groups["op"].Success ? m.Groups["op"].Value : null,
                    m.Groups["op"].Success ? m.Groups["arg"].Value : null))
            .ToList();

    /// <summary>The value as Compose would pass it with the given environment (names missing from it are unset).</summary>
    public static string Evaluate(string value, IReadOnlyDictionary<string, string> environment) =>
        Reference().Replace(value, m =>
        {
            if (m.Groups["dollar"].Success)
            {
                return "$";
            }
            var name = m.Groups["bare"].Success ? m.Groups["bare"].Value : m.Groups["name"].Value;
            var set = environment.TryGetValue(name, out var current);
            var op = m.Groups["op"].Success ? m.Groups["op"].Value : null;
            var arg = m.Groups["arg"].Value;
            return op switch
            {
                ":-" => set && current!.Length > 0 ? current : arg,
                "-" => set ? current! : arg,
                ":?" or "?" when !set || (op == ":?" && current!.Length == 0) =>
                    throw new InvalidOperationException($"{name} is required: {arg}"),
                _ => set ? current! : "",
            };
        });

    /// <summary>True when the whole value is one reference to <paramref name="name"/> (so it can be overridden by it).</summary>
    public static bool IsWholeReferenceTo(string value, string name, out string? defaultValue)
    {
        var match = Reference().Match(value);
        var whole = match.Success && match.Index == 0 && match.Length == value.Length && !match.Groups["dollar"].Success;
        var reference = whole ? References(value)[0] : null;
        defaultValue = reference?.Default;
        return reference is not null && reference.Name == name && reference.Operator is null or ":-" or "-";
    }

    public static string Describe(IReadOnlyDictionary<string, string> environment)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in environment)
        {
            text.Append(key).Append('=').Append(value).Append(' ');
        }
        return text.ToString().Trim();
    }
}
