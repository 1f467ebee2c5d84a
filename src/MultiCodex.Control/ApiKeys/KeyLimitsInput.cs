using MultiCodex.Control.Accounts;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Pool.ClientKeys;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.ApiKeys;

/// <summary>
/// Reads the limits a create or an update asks for: every field checked (a clear 400 naming it, nothing changed),
/// and an update's field mask applied — <c>limits</c> for every limit at once, <c>limits.&lt;field&gt;</c> for one.
/// </summary>
internal sealed class KeyLimitsInput(AccountStore accounts, TimeProvider time)
{
    /// <summary>The limit fields, as the mask names them (snake_case, after <c>limits.</c>).</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        "expire_time", "allowed_models", "max_concurrent_requests", "requests_per_day", "requests_per_week", "requests_per_month",
        "tokens_per_day", "tokens_per_week", "tokens_per_month", "allowed_account_ids",
    ];

    private const int MaxModels = 100;
    private const int MaxModelLength = 200;
    private const int MaxConcurrency = 10_000;

    /// <summary>The limits of a new key: every field given.</summary>
    public KeyLimits ForCreate(V1.ApiKeyLimits? limits) => limits is null ? KeyLimits.None : Apply(KeyLimits.None, limits, Fields.ToHashSet(StringComparer.Ordinal), "limits");

    /// <summary>
    /// The fields an update changes: the mask's (<c>limits</c> or <c>limits.x</c>, camelCase or snake_case), else
    /// every field present in the body.
    /// </summary>
    public static HashSet<string> Selected(Google.Protobuf.WellKnownTypes.FieldMask? mask, V1.ApiKeyLimits? body)
    {
        var fields = new HashSet<string>(StringComparer.Ordinal);
        if (mask is { Paths.Count: > 0 })
        {
            foreach (var raw in mask.Paths)
            {
                var path = SnakeCase(raw.Trim());
                if (path == "limits")
                {
                    fields.UnionWith(Fields);
                }
                else if (path.StartsWith("limits.", StringComparison.Ordinal) && Fields.Contains(path["limits.".Length..]))
                {
                    fields.Add(path["limits.".Length..]);
                }
                else
                {
                    ControlErrors.InvalidArgument("update_mask",
                        $"Field '{raw}' cannot be changed; only the limits can (limits, or limits.<field> with one of {string.Join(", ", Fields)}).");
                }
            }
            return fields;
        }
        if (body is null)
        {
            return fields;
        }
        if (body.ExpireTime is not null) { fields.Add("expire_time"); }
        if (body.AllowedModels.Count > 0) { fields.Add("allowed_models"); }
        if (body.MaxConcurrentRequests != 0) { fields.Add("max_concurrent_requests"); }
        if (body.RequestsPerDay != 0) { fields.Add("requests_per_day"); }
        if (body.RequestsPerWeek != 0) { fields.Add("requests_per_week"); }
        if (body.RequestsPerMonth != 0) { fields.Add("requests_per_month"); }
        if (body.TokensPerDay != 0) { fields.Add("tokens_per_day"); }
        if (body.TokensPerWeek != 0) { fields.Add("tokens_per_week"); }
        if (body.TokensPerMonth != 0) { fields.Add("tokens_per_month"); }
        if (body.AllowedAccountIds.Count > 0) { fields.Add("allowed_account_ids"); }
        return fields;
    }

    /// <summary><paramref name="current"/> with the <paramref name="fields"/> of <paramref name="changes"/>, each checked.</summary>
    public KeyLimits Apply(KeyLimits current, V1.ApiKeyLimits? changes, IReadOnlySet<string> fields, string prefix)
    {
        changes ??= new V1.ApiKeyLimits();
        var next = current;
        foreach (var field in fields)
        {
            var name = $"{prefix}.{field}";
            next = field switch
            {
                "expire_time" => next with { ExpiresAt = ExpiresAt(changes, name) },
                "allowed_models" => next with { AllowedModels = Models(changes, name) },
                "max_concurrent_requests" => next with { MaxConcurrentRequests = (int)InRange(changes.MaxConcurrentRequests, MaxConcurrency, name) },
                "requests_per_day" => next with { RequestsPerDay = Budget(changes.RequestsPerDay, name) },
                "requests_per_week" => next with { RequestsPerWeek = Budget(changes.RequestsPerWeek, name) },
                "requests_per_month" => next with { RequestsPerMonth = Budget(changes.RequestsPerMonth, name) },
                "tokens_per_day" => next with { TokensPerDay = Budget(changes.TokensPerDay, name) },
                "tokens_per_week" => next with { TokensPerWeek = Budget(changes.TokensPerWeek, name) },
                "tokens_per_month" => next with { TokensPerMonth = Budget(changes.TokensPerMonth, name) },
                "allowed_account_ids" => next with { AllowedAccountIds = Accounts(changes, name) },
                _ => next,
            };
        }
        return next;
    }

    private DateTimeOffset? ExpiresAt(V1.ApiKeyLimits changes, string name)
    {
        if (changes.ExpireTime is null)
        {
            return null;
        }
        DateTimeOffset at;
        try
        {
            at = changes.ExpireTime.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            throw ControlErrors.InvalidArgumentError(name, "The expiry time is not a valid timestamp.");
        }
        if (at <= time.GetUtcNow())
        {
            ControlErrors.InvalidArgument(name, $"The expiry time {at:u} has passed already; give a time in the future, or revoke the key.");
        }
        return at;
    }

    private static List<string> Models(V1.ApiKeyLimits changes, string name)
    {
        if (changes.AllowedModels.Count > MaxModels)
        {
            ControlErrors.InvalidArgument(name, $"At most {MaxModels} models may be listed.");
        }
        var models = new List<string>();
        foreach (var raw in changes.AllowedModels)
        {
            var model = raw.Trim();
            if (model.Length is 0 or > MaxModelLength || model.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || model.IndexOf('*') is >= 0 and var star && star != model.Length - 1)
            {
                ControlErrors.InvalidArgument(name,
                    $"'{Printable(raw)}' is not a model id: give ids such as gpt-5.5 (1 to {MaxModelLength} characters, no spaces), or a prefix ending in * such as gpt-5*.");
            }
            if (!models.Contains(model, StringComparer.OrdinalIgnoreCase))
            {
                models.Add(model);
            }
        }
        return models;
    }

    private List<string> Accounts(V1.ApiKeyLimits changes, string name)
    {
        var ids = new List<string>();
        foreach (var id in changes.AllowedAccountIds.Select(i => i.Trim()))
        {
            if (accounts.Find(id) is null)
            {
                ControlErrors.InvalidArgument(name, $"No account has id '{Printable(id)}'; list the ids of accounts in the pool (GET /admin/accounts).");
            }
            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }
        return ids;
    }

    private static long Budget(long value, string name) => InRange(value, long.MaxValue / 2, name);

    private static long InRange(long value, long max, string name)
    {
        if (value < 0 || value > max)
        {
            ControlErrors.InvalidArgument(name, $"{name} must be 0 (no limit) to {max}, not {value}.");
        }
        return value;
    }

    // A message quotes what the caller sent; control characters would garble a log line or a terminal.
    private static string Printable(string text) =>
        new([.. text.Take(MaxModelLength).Select(c => char.IsControl(c) ? '?' : c)]);

    private static string SnakeCase(string path) =>
        string.Concat(path.Select((c, i) => char.IsUpper(c) ? (i > 0 && path[i - 1] != '.' ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
