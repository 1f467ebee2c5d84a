using MultiCodex.Control.Accounts;

namespace MultiCodex.Control.Events;

/// <summary>What happened: the domain side of the proto's <c>Event.Type</c> (same order, same meaning).</summary>
public enum ControlEventType
{
    AccountBlocked = 1,
    AccountUnblocked = 2,
    ReauthRequired = 3,
    RefreshFailing = 4,
    PoolExhausted = 5,
    PoolRecovered = 6,
    KeyBudgetReached = 7,
    WebhookTest = 8,
}

/// <summary>The account an event concerns, as it was when the event happened (never its tokens).</summary>
public sealed record EventAccount(string Id, string Email, string Label)
{
    public static EventAccount Of(AccountRecord account) => new(account.Id, account.Email, account.Label);

    /// <summary>How a summary names the account: its email, and the label too when the operator chose another one.</summary>
    public string Name => Label.Length == 0 || Label == Email ? Email : $"{Label} ({Email})";
}

/// <summary>
/// One event: something in the pool that may need a person. Immutable; the same value goes to the recent list,
/// every WatchEvents stream and every webhook. <see cref="Data"/> holds details by name for automation, and never
/// a token or a key.
/// </summary>
public sealed record ControlEvent(
    string Id, ControlEventType Type, DateTimeOffset Time, EventAccount? Account, string Summary, IReadOnlyDictionary<string, string> Data);
