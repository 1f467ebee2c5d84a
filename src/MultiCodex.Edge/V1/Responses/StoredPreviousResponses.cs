using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Responses;

/// <summary>
/// <c>previous_response_id</c> over HTTP, honoured or refused, never dropped: the response it names is looked up in
/// the <see cref="ResponseStore"/> (for the same client key only), and the upstream gets the whole input — that
/// response's input and output items, then the new ones — as it would have seen it had it kept the response. An id
/// this Edge does not hold for the key is a 400 <c>previous_response_not_found</c>, as OpenAI answers one.
/// </summary>
internal sealed class StoredPreviousResponses(ResponseStore store) : IPreviousResponses
{
    public ValueTask<Translation<ResponsesRequest>> ContinueAsync(ResponsesRequest request, IClientTransport client, CancellationToken cancellationToken)
    {
        var id = request.PreviousResponseId!;
        if (store.Find(client.ClientKeyId, id) is not { } previous)
        {
            request.Dispose();
            return ValueTask.FromResult(new Translation<ResponsesRequest>(null, NotFound(id)));
        }
        var old = request.Body.Span;
        var (start, length) = request.InputItems.GetOffsetAndLength(old.Length);
        var comma = previous.Items.Length > 0 && !old.Slice(start, length).Trim(" \t\r\n"u8).IsEmpty ? 1 : 0;
        var body = new PooledBuffer(old.Length + previous.Items.Length + comma);
        body.Write(old[..start]);
        body.Write(previous.Items);
        if (comma == 1)
        {
            body.Write((byte)',');
        }
        body.Write(old[start..]);
        var continued = request.With(body, start..(start + previous.Items.Length + comma + length), request.SessionKey ?? previous.ConversationKey);
        request.Dispose();
        return ValueTask.FromResult(new Translation<ResponsesRequest>(continued, null));
    }

    private ClientError NotFound(string id) => ClientError.InvalidRequest(
        $"Previous response with id '{id}' not found. " + (store.Enabled
            ? $"MultiCodex keeps the responses it served for {Describe(store.MaxAge)} (on the Edge that served them, for the API key that asked), "
              + "as memory allows; send the whole conversation as input instead."
            : "This MultiCodex keeps no responses (RESPONSE_STORE_MAX_BYTES=0); send the whole conversation as input instead."),
        "previous_response_id", "previous_response_not_found");

    private static string Describe(TimeSpan age) =>
        age.TotalHours >= 1 && age.TotalHours == Math.Floor(age.TotalHours) ? $"{age.TotalHours:0} h"
        : age.TotalMinutes >= 1 && age.TotalMinutes == Math.Floor(age.TotalMinutes) ? $"{age.TotalMinutes:0} min"
        : $"{age.TotalSeconds:0} s";
}
