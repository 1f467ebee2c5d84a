using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Leases;

/// <summary>Talks to Control's PoolService as an Edge does: reports in numbered batches, the pool stream, token refreshes.</summary>
public sealed class PoolClient(GrpcChannel channel, string edgeId = "edge_test")
{
    private ulong _sequence;

    public PoolService.PoolServiceClient Client { get; } = new(channel);

    public string EdgeId { get; } = edgeId;

    /// <summary>An attempt on <paramref name="accountId"/> as an Edge reports it.</summary>
    public static AttemptReport Attempt(string accountId, int status, string? code = null, string? message = null, TimeSpan? resetsIn = null,
        DateTimeOffset? resetsAt = null, IDictionary<string, string>? headers = null, string clientName = "", long inputTokens = 0, long outputTokens = 0)
    {
        var attempt = new AttemptReport
        {
            RequestId = "req_" + Guid.NewGuid().ToString("N")[..12],
            Attempt = 1,
            Endpoint = "responses",
            Transport = "http",
            Model = "gpt-5.5",
            ClientName = clientName,
            AccountId = accountId,
            StatusCode = status,
            ErrorCode = code ?? "",
            ErrorMessage = message ?? "",
            ResetsIn = resetsIn is { } i ? Duration.FromTimeSpan(i) : null,
            ResetsAt = resetsAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            InputTokens = inputTokens,
            OutputTokens = outputTokens,
            Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(250)),
        };
        attempt.RateLimitHeaders.Add(headers ?? new Dictionary<string, string>());
        return attempt;
    }

    /// <summary>Numbers the reports (on from the last batch) and sends them as one batch.</summary>
    public Task<ReportOutcomesResponse> SendAsync(params PoolReport[] reports)
    {
        foreach (var report in reports)
        {
            report.Sequence = ++_sequence;
        }
        return ResendAsync(reports);
    }

    /// <summary>Sends reports as they are (a batch delivered again after a lost reply).</summary>
    public async Task<ReportOutcomesResponse> ResendAsync(params PoolReport[] reports)
    {
        var request = new ReportOutcomesRequest { EdgeId = EdgeId };
        request.Reports.AddRange(reports);
        return await Client.ReportOutcomesAsync(request, Stack.Authorized);
    }

    public static PoolReport Of(AttemptReport attempt, TimeSpan? age = null) =>
        new() { Attempt = attempt, Age = Duration.FromTimeSpan(age ?? TimeSpan.Zero) };

    public static PoolReport Binding(string sessionKey, string accountId) =>
        new() { Binding = new SessionBinding { SessionKey = sessionKey, AccountId = accountId }, Age = Duration.FromTimeSpan(TimeSpan.Zero) };

    public AsyncServerStreamingCall<WatchPoolResponse> Watch(CancellationToken cancellationToken) =>
        Client.WatchPool(new WatchPoolRequest { EdgeId = EdgeId }, new CallOptions(Stack.Authorized.Headers, cancellationToken: cancellationToken));

    /// <summary>The rate-limit headers of an answer with these windows (5-hour resets in 2 h).</summary>
    public static Dictionary<string, string> Windows(DateTimeOffset now, double fiveHourUsed, double weeklyUsed, int weeklyResetHours) => new()
    {
        ["x-codex-primary-used-percent"] = fiveHourUsed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["x-codex-primary-window-minutes"] = "300",
        ["x-codex-primary-reset-at"] = now.AddHours(2).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["x-codex-secondary-used-percent"] = weeklyUsed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["x-codex-secondary-window-minutes"] = "10080",
        ["x-codex-secondary-reset-at"] = now.AddHours(weeklyResetHours).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
