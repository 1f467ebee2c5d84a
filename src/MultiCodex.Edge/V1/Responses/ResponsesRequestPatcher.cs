using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Responses;

/// <summary>What the Edge learned from a Responses request while patching it.</summary>
/// <param name="Model">The model asked for.</param>
/// <param name="ClientStreams">The client's <c>stream</c>: the upstream always streams, the Edge aggregates otherwise.</param>
/// <param name="PromptCacheKey">The conversation's <c>prompt_cache_key</c>, if any.</param>
/// <param name="ServiceTier">The <c>service_tier</c> sent upstream, for the routing hint.</param>
/// <param name="PreviousResponseId">The <c>previous_response_id</c> the client named; never sent upstream over HTTP.</param>
public sealed record ResponsesRequestFacts(string Model, bool ClientStreams, string? PromptCacheKey, string? ServiceTier, string? PreviousResponseId)
{
    /// <summary>Where the items of <c>input</c> sit in the patched body: between its <c>[</c> and <c>]</c>.</summary>
    public Range InputItems { get; init; }

    /// <summary>False when the client sent <c>store:false</c>: OpenAI keeps nothing for it to continue from.</summary>
    public bool ClientStores { get; init; } = true;
}

/// <summary>
/// Makes a client's Responses request fit for the ChatGPT Codex backend (docs/upstream-responses.md §2.3) in one
/// pass of <see cref="Utf8JsonReader"/> over the body, without building a document: the top-level members the
/// upstream needs changed are dropped or rewritten (<c>stream</c>:true, <c>store</c>:false, unsupported parameters
/// removed, a string <c>input</c> made a list, a <c>system</c> role made <c>developer</c>); every other member is
/// copied as the raw bytes the client sent — item order, unknown fields, numbers and string escapes unchanged.
/// </summary>
public static class ResponsesRequestPatcher
{
    /// <summary>Parameters the upstream refuses ("Unsupported parameter") or cannot honour, which peers strip too.</summary>
    private static readonly byte[][] Unsupported =
    [
        .. new[]
        {
            "max_output_tokens", "max_tokens", "max_completion_tokens", "temperature", "top_p", "safety_identifier", "metadata",
            "prompt_cache_retention", "truncation", "user", "stream_options", "context_management", "background", "top_logprobs",
        }.Select(System.Text.Encoding.UTF8.GetBytes),
    ];

    /// <summary>Checks <paramref name="body"/> and writes the upstream's body to <paramref name="output"/>.</summary>
    /// <returns>The request's facts, or the 400 for the client (nothing useful is then in <paramref name="output"/>).</returns>
    public static (ResponsesRequestFacts? Facts, ClientError? Error) Patch(ReadOnlySpan<byte> body, PooledBuffer output)
    {
        if (StrictJson.CheckText(body) is { } notText)
        {
            return (null, notText);
        }
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..]; // a byte order mark is allowed before JSON text, never sent on
        }
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            return (null, StrictJson.NotJson(null));
        }
        var keys = JsonKeyGuard.Rent();
        try
        {
            return Patch(body, output, keys);
        }
        catch (Exception e) when (e is JsonException or DuplicateKeyException or LoneSurrogateException)
        {
            return (null, StrictJson.NotJson(e));
        }
        finally
        {
            keys.Return();
        }
    }

    private static (ResponsesRequestFacts?, ClientError?) Patch(ReadOnlySpan<byte> body, PooledBuffer output, JsonKeyGuard keys)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read())
        {
            return (null, StrictJson.NotJson(null));
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            StrictJson.SkipValue(ref reader, keys); // a syntax error still reads as one
            return (null, ClientError.InvalidRequest("The request body must be a JSON object."));
        }
        keys.EnterObject();
        string? model = null, cacheKey = null, tier = null, previous = null;
        var (streams, stores) = (false, true);
        var sawInput = false;
        var inputItems = default(Range);
        ClientError? error = null;
        output.Write((byte)'{');
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            keys.Add(ref reader);
            var member = (int)reader.TokenStartIndex;
            var name = Classify(ref reader);
            reader.Read();
            switch (name)
            {
                case Member.Model:
                    model = StringOf(ref reader);
                    error ??= string.IsNullOrEmpty(model) ? ClientError.InvalidRequest("'model' must name a model, for example gpt-5.5.", "model") : null;
                    Copy(body, member, ref reader, keys, output);
                    break;
                case Member.Stream:
                    streams = reader.TokenType == JsonTokenType.True;
                    error ??= reader.TokenType is JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null
                        ? null : ClientError.InvalidRequest("'stream' must be true or false.", "stream");
                    StrictJson.SkipValue(ref reader, keys); // written below: the upstream always streams
                    break;
                case Member.Input:
                    sawInput = true;
                    error ??= WriteInput(body, member, ref reader, keys, output, out inputItems);
                    break;
                case Member.Store:
                    stores = reader.TokenType != JsonTokenType.False;
                    StrictJson.SkipValue(ref reader, keys); // written below: the upstream requires store:false
                    break;
                case Member.PromptCacheKey:
                    cacheKey = StringOf(ref reader);
                    Copy(body, member, ref reader, keys, output);
                    break;
                case Member.ServiceTier:
                    tier = StringOf(ref reader);
                    Copy(body, member, ref reader, keys, output);
                    break;
                case Member.PreviousResponseId:
                    // Valid only on the upstream WebSocket that made the response: never sent over HTTP (the pipeline's continuation step decides).
                    previous = StringOf(ref reader);
                    if (previous is null && reader.TokenType != JsonTokenType.Null)
                    {
                        // Honoured or refused, never dropped: an id that is not a string names no response.
                        error ??= ClientError.InvalidRequest("Invalid type for 'previous_response_id': expected a string (the id of an earlier response).",
                            "previous_response_id", "invalid_type");
                    }
                    StrictJson.SkipValue(ref reader, keys);
                    break;
                case Member.Dropped:
                    StrictJson.SkipValue(ref reader, keys);
                    break;
                default:
                    Copy(body, member, ref reader, keys, output);
                    break;
            }
        }
        reader.Read(); // past the end: trailing bytes are a JsonException
        if (error is not null)
        {
            return (null, error);
        }
        if (model is null)
        {
            return (null, ClientError.InvalidRequest("'model' is required: the model to use, for example gpt-5.5.", "model"));
        }
        if (!sawInput)
        {
            return (null, ClientError.InvalidRequest("'input' is required: a string or a list of input items.", "input"));
        }
        Separator(output);
        output.Write("\"stream\":true,\"store\":false}"u8);
        return (new ResponsesRequestFacts(model, streams, string.IsNullOrEmpty(cacheKey) ? null : cacheKey, tier, previous)
        {
            InputItems = inputItems,
            ClientStores = stores,
        }, null);
    }

    // A member the Edge reads itself (model, prompt_cache_key, …): its text, or null when it is not a string.
    private static string? StringOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return null;
        }
        StrictJson.CheckEscapes(in reader);
        return reader.GetString();
    }

    // The value (the reader is on its first token) is read to its end and the whole member copied as it came.
    private static void Copy(ReadOnlySpan<byte> body, int member, ref Utf8JsonReader reader, JsonKeyGuard keys, PooledBuffer output)
    {
        StrictJson.SkipValue(ref reader, keys);
        Separator(output);
        output.Write(body[member..(int)reader.BytesConsumed]);
    }

    private static ClientError? WriteInput(ReadOnlySpan<byte> body, int member, ref Utf8JsonReader reader, JsonKeyGuard keys, PooledBuffer output,
        out Range items)
    {
        items = default;
        if (reader.TokenType == JsonTokenType.String)
        {
            // The upstream takes only a list ("Input must be a list"): a prompt becomes one user message, its string token kept as sent.
            StrictJson.CheckEscapes(in reader);
            var text = body[(int)reader.TokenStartIndex..(int)reader.BytesConsumed];
            Separator(output);
            output.Write("\"input\":["u8);
            var start = output.Length;
            output.Write("{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":"u8);
            output.Write(text);
            output.Write("}]}"u8);
            items = start..output.Length;
            output.Write((byte)']');
            return null;
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            StrictJson.SkipValue(ref reader, keys);
            return ClientError.InvalidRequest("'input' must be a string or a list of input items.", "input");
        }
        Separator(output);
        var first = output.Length + ((int)reader.TokenStartIndex - member) + 1; // just past the list's '['
        var copied = member;
        var scan = InputItemScan.Read(ref reader, keys);
        foreach (var role in scan.SystemRoles)
        {
            // The upstream answers "System messages are not allowed"; developer is the role it takes instead.
            output.Write(body[copied..role.Start]);
            output.Write("\"developer\""u8);
            copied = role.End;
        }
        output.Write(body[copied..(int)reader.BytesConsumed]);
        items = first..(output.Length - 1);
        return scan.CompactionError();
    }

    private static void Separator(PooledBuffer output)
    {
        if (output.Length > 1)
        {
            output.Write((byte)',');
        }
    }

    private static Member Classify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("model"u8))
        {
            return Member.Model;
        }
        if (reader.ValueTextEquals("input"u8))
        {
            return Member.Input;
        }
        if (reader.ValueTextEquals("stream"u8))
        {
            return Member.Stream;
        }
        if (reader.ValueTextEquals("store"u8))
        {
            return Member.Store;
        }
        if (reader.ValueTextEquals("prompt_cache_key"u8))
        {
            return Member.PromptCacheKey;
        }
        if (reader.ValueTextEquals("service_tier"u8))
        {
            return Member.ServiceTier;
        }
        if (reader.ValueTextEquals("previous_response_id"u8))
        {
            return Member.PreviousResponseId;
        }
        foreach (var name in Unsupported)
        {
            if (reader.ValueTextEquals(name))
            {
                return Member.Dropped;
            }
        }
        return Member.Other;
    }

    private enum Member
    {
        Other,
        Model,
        Input,
        Stream,
        PromptCacheKey,
        ServiceTier,
        PreviousResponseId,
        Store,
        Dropped,
    }
}
