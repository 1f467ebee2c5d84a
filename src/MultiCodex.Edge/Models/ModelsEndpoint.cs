using System.Diagnostics;
using System.Text.Json.Nodes;
using MultiCodex.Control.V1;
using MultiCodex.Edge.Leasing;
using MultiCodex.Edge.OpenAi;
using MultiCodex.Edge.Proxying;
using MultiCodex.Edge.Upstream;

namespace MultiCodex.Edge.Models;

/// <summary>
/// <c>GET /v1/models</c>: the upstream's model catalog (<c>/codex/models</c>) in OpenAI's list shape, fetched with
/// any available account and cached for a few minutes (the catalog changes rarely).
/// </summary>
public sealed class ModelsEndpoint(ControlClient control, UpstreamClient upstream, OutcomeReporter reporter, TimeProvider time)
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _fetchGate = new(1, 1);
    private (string Json, DateTimeOffset FetchedAt)? _cache;

    public async Task<IResult> HandleAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ListAsync(cancellationToken);
        }
        catch (Exception e) when (e is Grpc.Core.RpcException or OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return Results.StatusCode(499); // the client went away; nothing reaches it
        }
        catch (Grpc.Core.RpcException)
        {
            return OpenAiError.Result(503, "The proxy's control service is unavailable; try again shortly.", "server_error", "control_unavailable");
        }
    }

    private async Task<IResult> ListAsync(CancellationToken cancellationToken)
    {
        if (_cache is { } cached && time.GetUtcNow() - cached.FetchedAt < CacheLifetime)
        {
            return Results.Content(cached.Json, "application/json");
        }
        await _fetchGate.WaitAsync(cancellationToken);
        try
        {
            if (_cache is { } fresh && time.GetUtcNow() - fresh.FetchedAt < CacheLifetime)
            {
                return Results.Content(fresh.Json, "application/json");
            }
            var (json, failure) = await FetchAsync(cancellationToken);
            if (json is null)
            {
                return _cache is { } stale ? Results.Content(stale.Json, "application/json") : failure!;
            }
            _cache = (json, time.GetUtcNow());
            return Results.Content(json, "application/json");
        }
        finally
        {
            _fetchGate.Release();
        }
    }

    private async Task<(string? Json, IResult? Failure)> FetchAsync(CancellationToken cancellationToken)
    {
        var reply = await control.AcquireAsync(new AcquireLeaseRequest { Model = "(models)" }, cancellationToken);
        if (reply.Lease is not { } lease)
        {
            return (null, OpenAiError.Result(503, $"No upstream account can list models. {reply.UnavailableReason}".Trim(), "server_error", "no_account_available"));
        }
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            using var response = await upstream.GetModelsAsync(lease.AccessToken, lease.ChatgptAccountId, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            reporter.ReportInBackground(OutcomeReporter.Report(lease.LeaseId, (int)response.StatusCode,
                response.IsSuccessStatusCode ? null : UpstreamEvents.ErrorBody(System.Text.Encoding.UTF8.GetBytes(text)), response,
                Stopwatch.GetElapsedTime(startedAt), Stopwatch.GetElapsedTime(startedAt)));
            if (!response.IsSuccessStatusCode || JsonNode.Parse(text)?["models"] is not JsonArray models)
            {
                return (null, OpenAiError.Result(502, $"The upstream model catalog answered HTTP {(int)response.StatusCode}.", "server_error", "upstream_error"));
            }
            return (ToOpenAiList(models), null);
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException)
        {
            reporter.ReportInBackground(OutcomeReporter.Report(lease.LeaseId, 0, null, null, null, Stopwatch.GetElapsedTime(startedAt)));
            return (null, OpenAiError.Result(502, "The upstream model catalog could not be read.", "server_error", "upstream_unreachable"));
        }
    }

    // Hidden models (visibility "hide") are the upstream's internal ones; clients list what they can pick.
    private static string ToOpenAiList(JsonArray models) =>
        new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(models.OfType<JsonObject>()
                .Where(m => m["slug"] is JsonValue && (string?)m["visibility"] != "hide")
                .Select(m => (JsonNode)new JsonObject
                {
                    ["id"] = (string?)m["slug"],
                    ["object"] = "model",
                    ["created"] = 0,
                    ["owned_by"] = "openai",
                })
                .ToArray()),
        }.ToJsonString();
}
