using System.Globalization;
using MultiCodex.Edge.ClientKeys;
using MultiCodex.Edge.V1.Protocol;
using MultiCodex.Pool.ClientKeys;

namespace MultiCodex.Edge.V1;

/// <summary>
/// The admit step: a model request against its client key's limits — expiry, the model allowlist, the budgets and
/// concurrency (<see cref="KeyLedger"/>) — once the model it asks for is known and before any account is leased. One
/// step for every transport: an HTTP request and each WebSocket <c>response.create</c> pass it alike. A refusal is an
/// error in OpenAI's shape whose <c>code</c> names the limit and whose message says when it frees up.
/// </summary>
public sealed class KeyAdmission(KeyLedger ledger, TimeProvider time)
{
    /// <summary>
    /// Admits the request for <paramref name="model"/> or refuses it (<see cref="KeyPass.Refusal"/>); an admitted request
    /// holds its concurrency slot until the pass is disposed, after the record step.
    /// </summary>
    public KeyPass Admit(IClientTransport client, RequestTrace trace, string model)
    {
        var verdict = ledger.Admit(client.ClientName, model, trace.RequestId);
        trace.ClientKeyId = verdict.Key?.Id;
        if (verdict.Refusal != KeyRefusal.None)
        {
            return new KeyPass(null, null, null, Refusal(verdict, model));
        }
        if (verdict.Key is not { } key)
        {
            return KeyPass.Open;
        }
        trace.AllowedAccountIds = key.AllowedAccounts;
        return new KeyPass(ledger, key, trace.RequestId, null);
    }

    /// <summary>For the routes that are not model calls (the catalog): the key's expiry alone.</summary>
    public ClientError? Expired(string? clientName) =>
        ledger.Find(clientName) is { } key && key.Limits.IsExpiredAt(time.GetUtcNow()) ? Refusal(new KeyVerdict(KeyRefusal.Expired, key), "") : null;

    private ClientError Refusal(KeyVerdict verdict, string model)
    {
        var limits = verdict.Key!.Limits;
        var now = time.GetUtcNow();
        switch (verdict.Refusal)
        {
            case KeyRefusal.Expired:
                return new ClientError(StatusCodes.Status403Forbidden,
                    $"This API key expired at {Clock(limits.ExpiresAt!.Value)}. Ask whoever runs this MultiCodex for a new key or a later expiry.",
                    "invalid_request_error", "key_expired");
            case KeyRefusal.ModelNotAllowed:
                return new ClientError(StatusCodes.Status403Forbidden,
                    $"This API key may not use the model '{(model.Length > 200 ? model[..200] + "…" : model)}'; it may use: {string.Join(", ", limits.AllowedModels)}.",
                    "invalid_request_error", "key_model_not_allowed", "model");
            case KeyRefusal.BudgetExceeded:
                var (budget, window, used) = verdict.Budget!;
                var wait = window.RemainingAt(now);
                return new ClientError(StatusCodes.Status429TooManyRequests,
                    $"This API key used its {budget.Describe()}: {used.ToString("N0", CultureInfo.InvariantCulture)} so far. "
                    + $"It frees up at {Clock(window.End)} (in {Span(wait)}).",
                    budget.Metric == BudgetMetric.Requests ? "requests" : "tokens", "key_budget_exceeded")
                {
                    RetryAfter = wait,
                    ResetsAt = window.End,
                };
            default:
                return new ClientError(StatusCodes.Status429TooManyRequests,
                    $"This API key has {limits.MaxConcurrentRequests} requests in flight, its limit of concurrent requests (per proxy instance). "
                    + "It frees up as soon as one of them ends: try again in a moment.",
                    "requests", "key_concurrency_limit")
                {
                    RetryAfter = TimeSpan.FromSeconds(1),
                };
        }
    }

    private static string Clock(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    // "3 h 12 min", "12 min 5 s", "40 s": what a person reads, to the second where it matters.
    private static string Span(TimeSpan wait)
    {
        var seconds = (long)Math.Ceiling(wait.TotalSeconds);
        var (days, hours, minutes, rest) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
        return days > 0 ? $"{days} d {hours} h"
            : hours > 0 ? $"{hours} h {minutes} min"
            : minutes > 0 ? $"{minutes} min {rest} s"
            : $"{rest} s";
    }
}

/// <summary>
/// What the admit step decided: a refusal to answer, or a request that holds its key's concurrency slot until its
/// answer is written (<see cref="FreeSlot"/>) and its budget count until it is settled (<see cref="Dispose"/>).
/// </summary>
public sealed class KeyPass(KeyLedger? ledger, ClientKey? key, string? requestId, ClientError? refusal) : IDisposable
{
    /// <summary>A request of an open /v1 (no key): nothing to hold.</summary>
    public static readonly KeyPass Open = new(null, null, null, null);

    private int _slotFreed;
    private int _disposed;

    /// <summary>The error to answer with; null when the request is admitted.</summary>
    public ClientError? Refusal => refusal;

    /// <summary>
    /// Frees the concurrency slot (once): the client may already hold the whole answer and send its next request at
    /// once, before the request's bookkeeping ends.
    /// </summary>
    public void FreeSlot()
    {
        if (ledger is not null && Interlocked.Exchange(ref _slotFreed, 1) == 0)
        {
            ledger.FreeSlot(key!);
        }
    }

    /// <summary>Frees the slot if still held and settles the request's count (once): after its outcome is reported.</summary>
    public void Dispose()
    {
        if (ledger is not null && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            FreeSlot();
            ledger.Settle(requestId!);
        }
    }
}
