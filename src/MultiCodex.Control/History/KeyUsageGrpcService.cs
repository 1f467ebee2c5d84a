using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.ApiKeys;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.History;

/// <summary>
/// Maps KeyUsageService (internal: the Edge serves it as <c>GET /v1/usage</c>) onto the history: a key's figures over
/// the last 24 hours, 7 days and 28 days. The key is named by its hash, so Control, not the caller, decides whose it is.
/// </summary>
internal sealed class KeyUsageGrpcService(ApiKeyStore keys, UsageFiguresQuery figures, TimeProvider time) : KeyUsageService.KeyUsageServiceBase
{
    /// <summary>The windows a key holder sees, in the order of the response.</summary>
    public static readonly TimeSpan[] Periods = [TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(28)];

    public override Task<GetKeyUsageResponse> GetKeyUsage(GetKeyUsageRequest request, ServerCallContext context)
    {
        var key = keys.All.FirstOrDefault(k => string.Equals(k.Sha256, request.KeySha256, StringComparison.OrdinalIgnoreCase))
            ?? throw ControlErrors.NotFoundError("API_KEY_NOT_FOUND", "No API key has that hash (it may have been revoked).");
        var now = time.GetUtcNow();
        var (periods, lastUsed) = figures.ForKey(key.Name, Periods.Select(p => now - p).ToList(), now.AddMilliseconds(1));
        var response = new GetKeyUsageResponse
        {
            KeyId = key.Id,
            KeyName = key.Name,
            LastUsedTime = lastUsed is { } last ? Timestamp.FromDateTimeOffset(last) : null,
        };
        response.Periods.AddRange(Periods.Zip(periods, (window, totals) =>
            new KeyUsagePeriod { Window = Duration.FromTimeSpan(window), Figures = HistoryMapper.ToProto(totals) }));
        return Task.FromResult(response);
    }
}
