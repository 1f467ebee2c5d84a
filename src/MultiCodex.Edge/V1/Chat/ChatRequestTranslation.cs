using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>
/// The outcome of <see cref="ChatRequestTranslator.Translate"/>: either a Responses request body for the upstream, or
/// an error to return to the client as HTTP 400 <c>invalid_request_error</c>.
/// </summary>
public sealed class ChatRequestTranslation
{
    private ChatRequestTranslation(JsonObject? body, string model, bool stream, bool includeUsage, ChatRequestError? error)
    {
        Body = body;
        Model = model;
        Stream = stream;
        IncludeUsage = includeUsage;
        Error = error;
    }

    /// <summary>The Responses request body (<c>model</c>, <c>input</c>, tools, text, reasoning, <c>store:false</c>,
    /// <c>stream:true</c>); <see langword="null"/> when the request is invalid.</summary>
    public JsonObject? Body { get; }

    /// <summary>The model the client asked for; empty when the request is invalid.</summary>
    public string Model { get; }

    /// <summary>Whether the client wants <c>chat.completion.chunk</c> events (the upstream is always streamed).</summary>
    public bool Stream { get; }

    /// <summary>The client's <c>stream_options.include_usage</c>: send a final usage chunk.</summary>
    public bool IncludeUsage { get; }

    /// <summary>Why the request was rejected; <see langword="null"/> when it translated.</summary>
    public ChatRequestError? Error { get; }

    /// <summary>True when <see cref="Body"/> is set and <see cref="Error"/> is not.</summary>
    [MemberNotNullWhen(true, nameof(Body))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Error is null;

    internal static ChatRequestTranslation Valid(JsonObject body, string model, bool stream, bool includeUsage) =>
        new(body, model, stream, includeUsage, null);

    internal static ChatRequestTranslation Invalid(ChatRequestError error) => new(null, "", false, false, error);
}

/// <summary>An invalid Chat Completions request, worded like OpenAI's own <c>invalid_request_error</c>.</summary>
/// <param name="Message">Human-readable reason, e.g. <c>Missing required parameter: 'messages'.</c></param>
/// <param name="Param">The offending parameter path, e.g. <c>messages[1].tool_call_id</c>, or null.</param>
public sealed record ChatRequestError(string Message, string? Param);
