using System.Text.Json;
using MultiCodex.Edge.ClientKeys;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>
/// The upstream's model catalog (<c>/codex/models</c>, as the presented Codex CLI version sees it), in two shapes:
/// <c>GET /v1/models</c>, OpenAI's list, and <c>GET /v1/codex/models</c>, the catalog itself as the Codex CLI reads it
/// from the backend — what its <c>model_catalog_url</c> provider option fetches (with <c>?client_version=</c>), so the
/// CLI's model picker and model metadata (instructions, context window, Responses Lite) are the pool's
/// (docs/upstream-responses.md §2.4, §2.5). Fetched with any available account on the same seams as the model calls (the
/// pool, an attempt scope, the transport's one error writer, the record step) and cached for a few minutes: the
/// catalog changes rarely.
/// </summary>
public sealed class ModelsEndpoint(IAccountPool pool, UpstreamClient upstream, RequestRecorder recorder, KeyLedger keys, TimeProvider time)
{
    private const string Model = "(models)";
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _fetchGate = new(1, 1);
    private Catalog? _cache;

    /// <summary><c>GET /v1/models</c>: the catalog's listed models in OpenAI's list shape.</summary>
    public Task HandleAsync(IClientTransport client) => AnswerAsync(client, static async (catalog, client) =>
    {
        await client.AnswerJsonAsync(null, catalog.OpenAiList);
        return StatusCodes.Status200OK;
    });

    /// <summary>
    /// <c>GET /v1/codex/models</c>: the catalog as the upstream sent it, without the models the asking CLI is too old
    /// for (its <c>client_version</c>, as the upstream would do), with the upstream's <c>ETag</c> (the CLI compares
    /// it with the <c>x-models-etag</c> of later answers to know when to fetch again).
    /// </summary>
    public Task HandleCodexAsync(HttpContext http, IClientTransport client) => AnswerAsync(client, async (catalog, client) =>
    {
        if (catalog.ETag is { } etag)
        {
            http.Response.Headers.ETag = etag;
            if (http.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                http.Response.StatusCode = StatusCodes.Status304NotModified;
                return StatusCodes.Status304NotModified;
            }
        }
        await client.AnswerJsonAsync(null, CodexCatalog.ForClient(catalog.Raw, http.Request.Query["client_version"].ToString()));
        return StatusCodes.Status200OK;
    });

    private async Task AnswerAsync(IClientTransport client, Func<Catalog, IClientTransport, ValueTask<int>> answer)
    {
        var trace = new RequestTrace("models", client.Name, client.ClientName, time) { Model = Model, ClientKeyId = keys.Find(client.ClientName)?.Id };
        client.Observe(trace);
        try
        {
            var (catalog, failure) = await CatalogAsync(client, trace);
            if (catalog is null)
            {
                trace.Answered(failure!.Status, failure.Code);
                await client.AnswerErrorAsync(failure);
                return;
            }
            trace.Answered(await answer(catalog, client), null);
        }
        catch (Exception e) when (V1Pipeline.ClientWentAway(e, client))
        {
            trace.Answered(StatusCodes.Status499ClientClosedRequest, "client_closed_request");
        }
        finally
        {
            recorder.Record(trace);
        }
    }

    private async Task<(Catalog? Catalog, ClientError? Failure)> CatalogAsync(IClientTransport client, RequestTrace trace)
    {
        if (Fresh() is { } cached)
        {
            return (cached, null);
        }
        await _fetchGate.WaitAsync(client.Aborted);
        try
        {
            if (Fresh() is { } fetched)
            {
                return (fetched, null);
            }
            var (catalog, failure) = await FetchAsync(client, trace);
            if (catalog is null)
            {
                return _cache is { } stale ? (stale, null) : (null, failure);
            }
            _cache = catalog;
            return (catalog, null);
        }
        finally
        {
            _fetchGate.Release();
        }
    }

    private Catalog? Fresh() => _cache is { } cached && time.GetUtcNow() - cached.FetchedAt < CacheLifetime ? cached : null;

    private async Task<(Catalog? Catalog, ClientError? Failure)> FetchAsync(IClientTransport client, RequestTrace trace)
    {
        var cancellationToken = client.Aborted;
        var leased = await pool.AcquireAsync(new LeaseRequest(Model, null, [], client.ClientName), cancellationToken);
        if (leased.Lease is not { } lease)
        {
            return (null, ClientError.Server(503, $"No upstream account can list models. {leased.UnavailableReason}".Trim(), "no_account_available"));
        }
        var attempt = new AttemptScope(pool, lease, trace, 1, time);
        trace.Served = attempt;
        try
        {
            using var response = await upstream.GetModelsAsync(lease, cancellationToken);
            var status = (int)response.StatusCode;
            attempt.HeadersArrived(status);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var ok = response.IsSuccessStatusCode;
            await attempt.CompleteAsync(new AttemptEnd(status, ok ? null : UpstreamError.FromHttpBody(body), default, response.Headers));
            return ok && ToOpenAiList(body) is { } list
                ? (new Catalog(body, list, response.Headers.ETag?.ToString(), time.GetUtcNow()), null)
                : (null, ClientError.Server(502, $"The upstream model catalog answered HTTP {status}.", "upstream_error"));
        }
        catch (Exception e) when (V1Pipeline.ClientWentAway(e, client))
        {
            await attempt.CompleteAsync(new AttemptEnd(StatusCodes.Status499ClientClosedRequest, null));
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            await attempt.CompleteAsync(AttemptEnd.Failed(0, "upstream_unreachable", "The upstream model catalog could not be reached."));
            return (null, ClientError.Server(502, "The upstream model catalog could not be read.", "upstream_unreachable"));
        }
    }

    // Hidden models (visibility "hide") are the upstream's internal ones; clients list what they can pick.
    private static byte[]? ToOpenAiList(byte[] catalog)
    {
        try
        {
            using var document = JsonDocument.Parse(catalog);
            if (!document.RootElement.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
            {
                return null;
            }
            using var output = new PooledBuffer(4096);
            using (var json = new Utf8JsonWriter(output, OpenAiErrors.WriterOptions))
            {
                json.WriteStartObject();
                json.WriteString("object"u8, "list"u8);
                json.WriteStartArray("data"u8);
                foreach (var model in models.EnumerateArray())
                {
                    if (model.ValueKind == JsonValueKind.Object && model.TryGetProperty("slug", out var slug) && slug.ValueKind == JsonValueKind.String
                        && !(model.TryGetProperty("visibility", out var visibility) && visibility.ValueKind == JsonValueKind.String && visibility.ValueEquals("hide")))
                    {
                        json.WriteStartObject();
                        json.WriteString("id"u8, slug.GetString());
                        json.WriteString("object"u8, "model"u8);
                        json.WriteNumber("created"u8, 0);
                        json.WriteString("owned_by"u8, "openai"u8);
                        json.WriteEndObject();
                    }
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            return output.Span.ToArray();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The upstream's catalog as fetched, its OpenAI list, its ETag, and when it was fetched.</summary>
    private sealed record Catalog(byte[] Raw, byte[] OpenAiList, string? ETag, DateTimeOffset FetchedAt);
}
