using Grpc.Core;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.Usage;

/// <summary>Maps UsageService calls onto the prober: probe every account now.</summary>
internal sealed class UsageGrpcService(AccountStore store, UsageProber prober, TimeProvider time) : UsageService.UsageServiceBase
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
}
