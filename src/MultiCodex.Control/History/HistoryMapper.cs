using Google.Protobuf.WellKnownTypes;
using MultiCodex.Control.Usage;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.History;

/// <summary>Maps the stored history to its protobuf messages.</summary>
internal static class HistoryMapper
{
    public static V1.RequestEntry ToProto(RequestView request)
    {
        var proto = new V1.RequestEntry
        {
            RequestId = request.RequestId,
            Time = Timestamp.FromDateTimeOffset(request.Time),
            Endpoint = request.Endpoint,
            Transport = request.Transport,
            Model = request.Model,
            ClientName = request.KeyName,
            StatusCode = request.Status,
            ErrorCode = request.ErrorCode,
            Answered = request.Answered,
            AccountId = request.AccountId,
            AccountEmail = request.AccountEmail,
            TimeToFirstByte = Span(request.TimeToFirstByte),
            Duration = Span(request.Duration),
            InputTokens = request.Tokens.Input,
            CachedInputTokens = request.Tokens.CachedInput,
            OutputTokens = request.Tokens.Output,
            ReasoningTokens = request.Tokens.Reasoning,
        };
        proto.Attempts.AddRange(request.Attempts.Select(a => new V1.RequestAttempt
        {
            Attempt = a.Attempt,
            Time = Timestamp.FromDateTimeOffset(a.Time),
            AccountId = a.AccountId,
            AccountEmail = a.AccountEmail,
            StatusCode = a.Status,
            ErrorCode = a.ErrorCode,
            TimeToFirstByte = Span(a.TimeToFirstByte),
            Duration = Span(a.Duration),
            BlockedAccount = a.Blocked,
            InputTokens = a.Tokens.Input,
            CachedInputTokens = a.Tokens.CachedInput,
            OutputTokens = a.Tokens.Output,
            ReasoningTokens = a.Tokens.Reasoning,
        }));
        return proto;
    }

    public static V1.UsageFigures ToProto(UsageTotals totals) => new()
    {
        Requests = totals.Requests,
        Errors = totals.Errors,
        InputTokens = totals.Tokens.Input,
        CachedInputTokens = totals.Tokens.CachedInput,
        OutputTokens = totals.Tokens.Output,
        ReasoningTokens = totals.Tokens.Reasoning,
        CacheHitRate = totals.CacheHitRate,
        LastRequestTime = totals.LastRequest is { } last ? Timestamp.FromDateTimeOffset(last) : null,
    };

    public static V1.GetUsageOverviewResponse ToProto(UsageOverview overview)
    {
        var proto = new V1.GetUsageOverviewResponse
        {
            StartTime = Timestamp.FromDateTimeOffset(overview.Start),
            EndTime = Timestamp.FromDateTimeOffset(overview.End),
            Total = ToProto(overview.Total),
        };
        proto.Accounts.AddRange(overview.Accounts.Select(ToProto));
        proto.ClientKeys.AddRange(overview.Keys.Select(ToProto));
        proto.Models.AddRange(overview.Models.Select(ToProto));
        return proto;
    }

    public static V1.UsageSample ToProto(UsageHistorySample sample)
    {
        var proto = new V1.UsageSample { AccountId = sample.AccountId, Time = Timestamp.FromDateTimeOffset(sample.Time) };
        if (sample.PercentOf(UsageHistory.FiveHourMeter) is { } fiveHour)
        {
            proto.FiveHourUsedPercent = fiveHour;
        }
        if (sample.PercentOf(UsageHistory.WeeklyMeter) is { } weekly)
        {
            proto.WeeklyUsedPercent = weekly;
        }
        proto.Meters.AddRange(sample.Meters.Select(m => new V1.UsageMeterReading
        {
            Meter = m.Meter,
            UsedPercent = m.UsedPercent,
            Window = Span(m.Window),
            ResetTime = m.ResetsAt is { } reset ? Timestamp.FromDateTimeOffset(reset) : null,
        }));
        return proto;
    }

    private static V1.UsageGroup ToProto(UsageGroupTotals group) =>
        new() { Id = group.Id, DisplayName = group.DisplayName, Figures = ToProto(group.Totals) };

    private static Duration? Span(TimeSpan? span) => span is { } s ? Duration.FromTimeSpan(s) : null;
}
