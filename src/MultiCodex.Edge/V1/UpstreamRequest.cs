using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>A client request made fit for the upstream: what step 2 (translate) hands to step 3 (dispatch).</summary>
public class UpstreamRequest : IDisposable
{
    /// <summary>The model the client asked for.</summary>
    public required string Model { get; init; }

    /// <summary>Whether the client reads a stream; the upstream always streams, and the Edge aggregates otherwise.</summary>
    public required bool ClientStreams { get; init; }

    /// <summary>The conversation's key (prompt_cache_key or a session header) that keeps it on one account; null when none.</summary>
    public string? SessionKey { get; init; }

    /// <summary>
    /// The <c>session-id</c> (and <c>thread-id</c>) header to send for a client that sent none, equal to the body's
    /// <c>prompt_cache_key</c>: the upstream's prompt cache follows that header (docs/upstream-responses.md §2.2,
    /// <see cref="Conversations.ConversationKeys"/>). Null when the client's own header travels.
    /// </summary>
    public string? SessionId { get; init; }

    /// <summary>The body sent upstream: a Responses request with stream on and store off, in a pooled buffer.</summary>
    public required PooledBuffer Body { get; init; }

    /// <summary>
    /// <c>x-codex-routing-hint</c> as the Codex CLI builds it for the body actually sent: <c>model=&lt;slug&gt;[;tier=&lt;service_tier&gt;]</c>
    /// (docs/upstream-responses.md §2.2); null when the model cannot travel in a header. Never the client's own copy.
    /// </summary>
    public string? RoutingHint { get; init; }

    /// <summary>How the request reaches the upstream; null: an HTTP POST (<see cref="UpstreamClient"/>).</summary>
    public IUpstreamRoute? Route { get; init; }

    /// <summary>The hint for a model and service tier, or null when either holds what a header value cannot.</summary>
    public static string? RoutingHintFor(string model, string? serviceTier)
    {
        if (!IsToken(model) || (serviceTier is not null && !IsToken(serviceTier)))
        {
            return null;
        }
        return serviceTier is null ? "model=" + model : $"model={model};tier={serviceTier}";
    }

    /// <summary>
    /// What to send for one attempt: the body and the routing hint as built, or — when the lease pays with a reserve
    /// that answers to its own model id (docs/account-pool.md) — both with that id in place of the one asked for.
    /// </summary>
    public (ReadOnlyMemory<byte> Body, string? RoutingHint) For(AccountLease lease)
    {
        if (lease.UpstreamModel is not { } model || model == Model)
        {
            return (Body.Memory, RoutingHint);
        }
        var hint = RoutingHint is { } built && built.StartsWith("model=" + Model, StringComparison.Ordinal) && RoutingHintFor(model, null) is not null
            ? "model=" + model + built[("model=" + Model).Length..]
            : null;
        return (WithModel(Body.Memory, model), hint);
    }

    public virtual void Dispose() => Body.Dispose();

    // Splices a new top-level "model" value into a body the Edge built itself (valid JSON, one "model" member).
    internal static ReadOnlyMemory<byte> WithModel(ReadOnlyMemory<byte> body, string model)
    {
        var reader = new System.Text.Json.Utf8JsonReader(body.Span);
        while (reader.Read())
        {
            if (reader.CurrentDepth == 1 && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName && reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                var end = (int)reader.BytesConsumed;
                var value = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(model);
                var patched = new byte[body.Length - (end - start) + value.Length];
                body.Span[..start].CopyTo(patched);
                value.CopyTo(patched.AsSpan(start));
                body.Span[end..].CopyTo(patched.AsSpan(start + value.Length));
                return patched;
            }
            if (reader.CurrentDepth == 1 && reader.TokenType is System.Text.Json.JsonTokenType.StartObject or System.Text.Json.JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }
        return body;
    }

    private static bool IsToken(string value) =>
        value.Length is > 0 and <= 200 && !value.AsSpan().ContainsAnyExcept(TokenCharacters);

    private static readonly System.Buffers.SearchValues<char> TokenCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:/+");
}

/// <summary>Step 2's result: the upstream request, or the 400 for the client.</summary>
public readonly record struct Translation<TRequest>(TRequest? Request, ClientError? Error) where TRequest : UpstreamRequest;

/// <summary>What the client got from step 4: the status (200 once a stream began) and the error code, if any.</summary>
public readonly record struct Answer(int Status, string? ErrorCode = null);

/// <summary>
/// What differs between the /v1 dialects (Responses, Chat Completions): how a client's body becomes an upstream
/// request (step 2, translate) and how the upstream's events become the client's answer (step 4, answer). Reading,
/// dispatching and recording are the pipeline's and the same for every dialect.
/// </summary>
public interface IDialect<TRequest> where TRequest : UpstreamRequest
{
    /// <summary>The route's name in logs, metrics and the request log: <c>responses</c> or <c>chat</c>.</summary>
    string Endpoint { get; }

    /// <summary>Step 2: checks the body and builds the upstream request, or says why the client must fix it.</summary>
    ValueTask<Translation<TRequest>> TranslateAsync(ReadOnlyMemory<byte> body, IClientTransport client, CancellationToken cancellationToken);

    /// <summary>Step 4: answers the client from the committed upstream stream (relayed, translated or aggregated).</summary>
    Task<Answer> AnswerAsync(TRequest request, UpstreamStream upstream, IClientTransport client);
}
