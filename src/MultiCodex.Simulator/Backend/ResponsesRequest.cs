using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Backend;

/// <summary>Which door a Responses request came through: they accept different top-level fields
/// (<c>previous_response_id</c> and <c>generate</c> only over WebSocket; <c>stream</c> required only over HTTP).</summary>
internal enum ResponsesTransport
{
    Http,
    WebSocket,
}

/// <summary>What the answering code needs from a validated request, or the 400 body in <see cref="Error"/>.</summary>
internal sealed record ResponsesRequest(JsonObject? Error, string Model, string LastUserText, bool WithReasoning, string? PromptCacheKey)
{
    /// <summary>The last input item is <c>{"type":"compaction_trigger"}</c>: answer with one compaction item.</summary>
    public bool IsCompaction { get; init; }

    /// <summary>A Responses Lite request (header <c>X-OpenAI-Internal-Codex-Responses-Lite</c>, or its metadata marker over WebSocket).</summary>
    public bool IsLite { get; init; }

    /// <summary><c>generate:false</c> (a WebSocket warmup): a response id and no model output.</summary>
    public bool Generate { get; init; } = true;

    /// <summary>The whole input as sent (after a WebSocket continuation is resolved), kept by a connection's cache.</summary>
    public JsonArray Input { get; init; } = [];

    /// <summary>The request asks for the reserve model, which only a reserve meter serves.</summary>
    public bool IsReserve => Model == ModelCatalog.ReserveModel;

    public static ResponsesRequest Fail(JsonObject error) => new(error, "", "", false, null);
}
