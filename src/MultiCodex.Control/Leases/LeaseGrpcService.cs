using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.Leases;

/// <summary>Maps LeaseService calls from the Edge onto the allocator. Native gRPC only: no REST route.</summary>
internal sealed class LeaseGrpcService(LeaseAllocator allocator) : LeaseService.LeaseServiceBase
{
    public override async Task<AcquireLeaseResponse> AcquireLease(AcquireLeaseRequest request, ServerCallContext context)
    {
        var grant = await allocator.AcquireAsync(request.Model, NullIfEmpty(request.SessionKey), request.ExcludedAccountIds, NullIfEmpty(request.ClientName));
        if (grant.Lease is null)
        {
            return new AcquireLeaseResponse
            {
                RetryTime = grant.RetryAt is { } retry ? Timestamp.FromDateTimeOffset(retry) : null,
                UnavailableReason = grant.UnavailableReason ?? "",
            };
        }
        return new AcquireLeaseResponse
        {
            Lease = new V1.Lease
            {
                LeaseId = grant.Lease.Id,
                AccountId = grant.Account!.Id,
                AccessToken = grant.Account.Tokens.AccessToken,
                ChatgptAccountId = grant.Account.ChatGptAccountId,
                Explanation = grant.Selection!.Explanation,
                Rule = RuleName(grant.Selection.Rule),
            },
        };
    }

    public override async Task<ReportOutcomeResponse> ReportOutcome(ReportOutcomeRequest request, ServerCallContext context)
    {
        var effect = await allocator.ReportAsync(new LeaseOutcome(
            request.LeaseId,
            request.StatusCode,
            NullIfEmpty(request.ErrorCode),
            NullIfEmpty(request.ErrorMessage),
            request.ResetsAt?.ToDateTimeOffset(),
            request.ResetsIn?.ToTimeSpan(),
            request.RateLimitHeaders,
            request.InputTokens,
            request.CachedInputTokens,
            request.OutputTokens,
            request.ReasoningTokens,
            request.TimeToFirstByte?.ToTimeSpan(),
            request.Duration?.ToTimeSpan()));
        if (!effect.Known)
        {
            throw ControlErrors.NotFoundError("LEASE_NOT_FOUND", $"No lease '{request.LeaseId}' is open; it was reported already or expired.");
        }
        return new ReportOutcomeResponse { AccountBlocked = effect.AccountBlocked, TokenRefreshed = effect.TokenRefreshed };
    }

    public static string RuleName(SelectionRule rule) => rule switch
    {
        SelectionRule.Sticky => "sticky",
        SelectionRule.Untouched => "untouched",
        SelectionRule.WeeklyResetSoonest => "weekly_reset_soonest",
        _ => "priority",
    };

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
