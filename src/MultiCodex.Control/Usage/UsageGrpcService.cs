using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.Pool;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.Usage;

/// <summary>Maps UsageService calls onto the prober: probe every account now.</summary>
internal sealed class UsageGrpcService(AccountStore store, UsageProber prober, RequestLog requests, UsageHistory history, TimeProvider time) : UsageService.UsageServiceBase
{
    public override async Task<RefreshUsageResponse> RefreshUsage(RefreshUsageRequest request, ServerCallContext context)
    {
        // Probed side by side: each account is its own upstream call, and an operator waits for the answer.
        var probes = store.All.Select(async a => (a.Id, Account: await prober.ProbeAsync(a.Id, context.CancellationToken)));
        var response = new RefreshUsageResponse();
        foreach (var (id, account) in await Task.WhenAll(probes))
        {
            response.Results.Add(new UsageRefreshResult
            {
                AccountId = id,
                Account = account is null ? null : AccountMapper.ToProto(account, time.GetUtcNow()),
                Error = account is null ? "the account was removed" : account.Usage?.ProbeError ?? "",
            });
        }
        return response;
    }

    public override Task<ListUsageHistoryResponse> ListUsageHistory(ListUsageHistoryRequest request, ServerCallContext context)
    {
        var response = new ListUsageHistoryResponse();
        foreach (var sample in history.Samples(string.IsNullOrEmpty(request.AccountId) ? null : request.AccountId))
        {
            var proto = new UsageSample { AccountId = sample.AccountId, Time = Timestamp.FromDateTimeOffset(sample.Time) };
            if (sample.FiveHourUsedPercent is { } fiveHour)
            {
                proto.FiveHourUsedPercent = fiveHour;
            }
            if (sample.WeeklyUsedPercent is { } weekly)
            {
                proto.WeeklyUsedPercent = weekly;
            }
            response.Samples.Add(proto);
        }
        return Task.FromResult(response);
    }

    public override Task<ListRequestsResponse> ListRequests(ListRequestsRequest request, ServerCallContext context)
    {
        var count = request.PageSize is > 0 and <= RequestLog.Capacity ? request.PageSize : 100;
        var response = new ListRequestsResponse();
        response.Requests.AddRange(requests.Recent(count).Reverse().Select(r => new RequestEntry
        {
            Time = Timestamp.FromDateTimeOffset(r.Time),
            ClientName = r.ClientName ?? "",
            AccountId = r.AccountId,
            Model = r.Model,
            StatusCode = r.Status,
            ErrorCode = r.ErrorCode ?? "",
            TimeToFirstByte = r.TimeToFirstByte is { } ttfb ? Duration.FromTimeSpan(ttfb) : null,
            Duration = r.Duration is { } d ? Duration.FromTimeSpan(d) : null,
            InputTokens = r.InputTokens,
            CachedInputTokens = r.CachedInputTokens,
            OutputTokens = r.OutputTokens,
            ReasoningTokens = r.ReasoningTokens,
            BlockedAccount = r.Blocked,
        }));
        return Task.FromResult(response);
    }
}
