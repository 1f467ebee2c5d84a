namespace MultiCodex.Edge.V1;

/// <summary>
/// Step 2b for Responses: what a client's <c>previous_response_id</c> means. The upstream keeps nothing
/// (<c>store:false</c>) and refuses the field over HTTP (docs/upstream-responses.md §2.3), so the Edge alone can give
/// it meaning: from the responses it served itself, it can send the upstream the full input instead, or refuse an
/// id it does not know (<c>previous_response_not_found</c>).
/// </summary>
public interface IPreviousResponses
{
    /// <summary>
    /// The request to send for one that names a previous response, or the error for the client. Takes ownership of
    /// <paramref name="request"/>: it is either returned or disposed.
    /// </summary>
    ValueTask<Translation<ResponsesRequest>> ContinueAsync(ResponsesRequest request, IClientTransport client, CancellationToken cancellationToken);
}
