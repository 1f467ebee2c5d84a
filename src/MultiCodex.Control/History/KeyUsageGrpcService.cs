using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.ApiKeys;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.History;

/// <summary>
/// Maps KeyUsageService (internal: the Edge serves it as <c>GET /v1/usage</c>) onto the history: a key's figures over
/// the last 24 hours, 7 days and 28 days, its limits and where it stands against its budgets. The key is named by its
/// hash, so Control, not the caller, decides whose it is.
/// </summary>
internal sealed class KeyUsageGrpcService(ApiKeyStore keys, UsageFiguresQuery figures, KeyBudgetCounters counters, TimeProvider time)
    : KeyUsageService.KeyUsageServiceBase
{
    /// <summary>The windows a key holder sees, in the order of the response.</summary>
    public static readonly TimeSpan[] Periods = [TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(28)];

    public override Task<GetKeyUsageResponse> GetKeyUsage(GetKeyUsageRequest request, ServerCallContext context)
    {
        var key = keys.FindByHash(request.KeySha256)
            ?? throw ControlErrors.NotFoundError("API_KEY_NOT_FOUND", "No API key has that hash (it may have been revoked).");
        var now = time.GetUtcNow();
        var (periods, lastUsed) = figures.ForKey(key.Id, Periods.Select(p => now - p).ToList(), now.AddMilliseconds(1));
        var response = new GetKeyUsageResponse
        {
            KeyId = key.Id,
            KeyName = key.Name,
            LastUsedTime = lastUsed is { } last ? Timestamp.FromDateTimeOffset(last) : null,
            Limits = ApiKeyMapper.ToProto(key.Limits),
        };
        response.Periods.AddRange(Periods.Zip(periods, (window, totals) =>
            new KeyUsagePeriod { Window = Duration.FromTimeSpan(window), Figures = HistoryMapper.ToProto(totals) }));
        response.Budgets.AddRange(counters.Standing(key, now).Select(ApiKeyMapper.ToProto));
        return Task.FromResult(response);
    }
}
