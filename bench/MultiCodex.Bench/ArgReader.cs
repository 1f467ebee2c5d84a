using System.Globalization;

namespace MultiCodex.Bench;

/// <summary>Reads <c>--name value</c> and <c>--flag</c> command-line switches; unknown ones are an error.</summary>
internal sealed class ArgReader
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public ArgReader(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var equals = arg.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    _values[arg[..equals]] = arg[(equals + 1)..];
                    pending = null;
                    continue;
                }
                _values[arg] = null;
                pending = arg;
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var value) && value is null or "true" or "1";
    }

    public string Text(string name, string? fallback = null)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var value) && value is not null ? value
            : fallback ?? throw new ArgumentException($"{name} is required");
    }

    public int Number(string name, int fallback)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var value) || value is null)
        {
            return fallback;
        }
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"{name} must be a whole number, not '{value}'");
    }

    public IReadOnlyList<int> Numbers(string name, IReadOnlyList<int> fallback)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var value) || value is null)
        {
            return fallback;
        }
        return value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{name} must list whole numbers, not '{value}'"))
            .ToList();
    }

    /// <summary>Throws when a switch was given that no one asked for (a typo must not pass silently).</summary>
    public void EnsureAllRead()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException("unknown option(s): " + string.Join(", ", unknown));
        }
    }
}
