namespace MultiCodex.Edge.V1.Chat;

/// <summary>
/// A client error found while translating a Chat Completions request; thrown by the mappers and caught only by
/// <see cref="ChatRequestTranslator.Translate"/>, which turns it into a <see cref="ChatRequestError"/>.
/// </summary>
/// <remarks>
/// Why an exception rather than results: errors surface several levels deep (message, content part, image url), and
/// unwinding with one private exception keeps every mapper a straight line. It is thrown only for invalid input.
/// </remarks>
internal sealed class ChatRequestException(string message, string? param) : Exception(message)
{
    /// <summary>The offending parameter as OpenAI names it, e.g. <c>messages[2].content[0].image_url</c>.</summary>
    public string? Param { get; } = param;
}
