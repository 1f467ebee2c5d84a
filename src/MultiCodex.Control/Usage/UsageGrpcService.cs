using Grpc.Core;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.History;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.Usage;

/// <summary>Maps UsageService calls onto the prober (probe every account now) and the history store (requests, usage over time).</summary>
internal sealed class UsageGrpcService(
    AccountStore store, UsageProber prober, UsageHistory history, RequestQuery requests, UsageFiguresQuery figures, TimeProvider time)
    : UsageService.UsageServiceBase
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(1);
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);

    /// <summary>ListUsageHistory without a start_time: the last day (the dashboard's default range), not the whole retention.</summary>
    public static readonly TimeSpan DefaultHistoryWindow = TimeSpan.FromDays(1);

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
        // Samples of removed accounts stay in the store until retention drops them, but are not shown.
        var accounts = store.All.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var since = request.StartTime?.ToDateTimeOffset() ?? time.GetUtcNow() - DefaultHistoryWindow;
        response.Samples.AddRange(history.Samples(NullIfEmpty(request.AccountId), since)
            .Where(s => accounts.Contains(s.AccountId)).Select(HistoryMapper.ToProto));
        return Task.FromResult(response);
    }

    public override Task<ListRequestsResponse> ListRequests(ListRequestsRequest request, ServerCallContext context)
    {
        if (request.PageSize is < 0 or > MaxPageSize)
        {
            ControlErrors.InvalidArgument("page_size", $"page_size must be between 1 and {MaxPageSize} (0 for the default, {DefaultPageSize}).");
        }
        StatusFilter? status = null;
        if (request.Status.Length > 0 && (status = StatusFilter.Parse(request.Status)) is null)
        {
            ControlErrors.InvalidArgument("status", $"status '{request.Status}' is not a status code (429), a class (2xx, 4xx, 5xx) or 'error'.");
        }
        var filter = new RequestFilter(NullIfEmpty(request.AccountId), NullIfEmpty(request.ClientName), NullIfEmpty(request.Model), status,
            NullIfEmpty(request.Transport), NullIfEmpty(request.Endpoint), request.StartTime?.ToDateTimeOffset(), request.EndTime?.ToDateTimeOffset());
        if (filter.Start >= filter.End)
        {
            ControlErrors.InvalidArgument("end_time", "end_time must be after start_time.");
        }
        try
        {
            var (page, next) = requests.List(filter, request.PageSize > 0 ? request.PageSize : DefaultPageSize, NullIfEmpty(request.PageToken));
            var response = new ListRequestsResponse { NextPageToken = next ?? "" };
            response.Requests.AddRange(page.Select(HistoryMapper.ToProto));
            return Task.FromResult(response);
        }
        catch (FormatException e)
        {
            throw ControlErrors.InvalidArgumentError("page_token", e.Message);
        }
    }

    public override Task<GetUsageOverviewResponse> GetUsageOverview(GetUsageOverviewRequest request, ServerCallContext context)
    {
        var window = request.Window?.ToTimeSpan() ?? DefaultWindow;
        if (window <= TimeSpan.Zero || window > MaxWindow)
        {
            ControlErrors.InvalidArgument("window", "window must be longer than 0 s and at most 366 days, for example 604800s for a week.");
        }
        var end = time.GetUtcNow();
        var overview = figures.Overview(end - window, end.AddMilliseconds(1), id => store.Find(id)?.Email);
        return Task.FromResult(HistoryMapper.ToProto(overview with { End = end }));
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
