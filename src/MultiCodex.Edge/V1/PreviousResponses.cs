using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>
/// Step 2b for Responses: what a client's <c>previous_response_id</c> means. The upstream keeps nothing
/// (<c>store:false</c>) and refuses the field over HTTP (docs/upstream-responses.md §2.3), so the Edge alone can give
/// it meaning: from the responses it served itself, it can send the upstream the full input instead, or refuse an
/// id it does not know (<c>previous_response_not_found</c>).
/// </summary>
public interface IPreviousResponses
{
    /// <summary>The request to send for one that names a previous response, or the error for the client.</summary>
    ValueTask<Translation<ResponsesRequest>> ContinueAsync(ResponsesRequest request, IClientTransport client, CancellationToken cancellationToken);
}

/// <summary>
/// The Edge keeps no served responses yet: the id is not sent and the request goes on with the input the client
/// sent (issue #14 item 7 replaces this with a bounded store of served responses, then resolves or refuses the id).
/// </summary>
internal sealed class UnresolvedPreviousResponses : IPreviousResponses
{
    public ValueTask<Translation<ResponsesRequest>> ContinueAsync(ResponsesRequest request, IClientTransport client, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new Translation<ResponsesRequest>(request, null));
}
