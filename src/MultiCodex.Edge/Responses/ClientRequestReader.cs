using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using MultiCodex.Edge.OpenAi;

namespace MultiCodex.Edge.Responses;

/// <summary>
/// Reads a /v1 request body as a JSON object: decompresses zstd, gzip, deflate or br bodies (the Codex CLI
/// sends zstd), and enforces the size limit on what the body expands to. Whatever a client gets wrong is a 4xx in
/// OpenAI's shape: a body that is not what its Content-Encoding says (400 naming the encoding), one that arrives too
/// slowly or stalls (408, Kestrel's minimum data rate), one that is not UTF-8, not JSON, or has a key twice (400).
/// A client that goes away while sending is no error: the result then has neither body nor error to write.
/// </summary>
public static class ClientRequestReader
{
    // Strict where System.Text.Json is lenient by default: a duplicate key would otherwise surface later as an
    // unhandled ArgumentException when the object is first read (a 500).
    private static readonly JsonDocumentOptions ParseOptions = new() { AllowDuplicateProperties = false };

    public static async Task<(JsonObject? Body, IResult? Error)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }
        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        Stream body;
        try
        {
            body = Decompress(request.Body, encoding);
        }
        catch (NotSupportedException e)
        {
            return (null, OpenAiError.Result(StatusCodes.Status415UnsupportedMediaType, e.Message, "invalid_request_error", "unsupported_encoding"));
        }
        var buffer = new MemoryStream();
        await using (body)
        {
            try
            {
                await CopyLimitedAsync(body, buffer, maxBytes, cancellationToken);
            }
            catch (BodyTooLargeException)
            {
                return (null, TooLarge(maxBytes));
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
            {
                return (null, e.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => TooLarge(maxBytes),
                    StatusCodes.Status408RequestTimeout => OpenAiError.Result(StatusCodes.Status408RequestTimeout,
                        "The request body arrived too slowly or stopped arriving; send it again.", "invalid_request_error", "request_timeout"),
                    _ => OpenAiError.Result(StatusCodes.Status400BadRequest, "The request body could not be read: " + e.Message, "invalid_request_error"),
                });
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return (null, null);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ZstdSharp.ZstdException or InvalidOperationException)
            {
                return (null, encoding is "" or "identity"
                    ? OpenAiError.Result(StatusCodes.Status400BadRequest, "The request body could not be read.", "invalid_request_error")
                    : OpenAiError.Result(StatusCodes.Status400BadRequest,
                        $"The request body is not valid {encoding} data, as its Content-Encoding says it is.", "invalid_request_error", "invalid_encoding"));
            }
        }
        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), encoding is "" or "identity" ? "" : $" after decoding its {encoding} Content-Encoding");
    }

    private static (JsonObject? Body, IResult? Error) Parse(ReadOnlySpan<byte> json, string decoded)
    {
        if (!Utf8.IsValid(json))
        {
            return (null, Invalid($"The request body{decoded} is not valid UTF-8."));
        }
        try
        {
            if (!EscapesAreText(json))
            {
                return (null, Invalid("The request body has a \\u escape that is no character (a lone surrogate)."));
            }
            return JsonNode.Parse(json, documentOptions: ParseOptions) is JsonObject body
                ? (body, null)
                : (null, Invalid("The request body must be a JSON object."));
        }
        catch (JsonException e)
        {
            var duplicate = e.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase);
            return (null, Invalid(duplicate
                ? $"The request body has the same key twice in one object (line {e.LineNumber + 1}); each key may appear once."
                : $"The request body{decoded} is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine})."));
        }
    }

    // Valid JSON may still escape half a surrogate pair ("\ud800"): no string can hold it, and reading it later would throw.
    private static bool EscapesAreText(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static IResult Invalid(string message) =>
        OpenAiError.Result(StatusCodes.Status400BadRequest, message, "invalid_request_error", "invalid_json");

    private static Stream Decompress(Stream body, string encoding) => encoding switch
    {
        "" or "identity" => body,
        "zstd" => new ZstdSharp.DecompressionStream(body),
        "gzip" => new GZipStream(body, CompressionMode.Decompress),
        "deflate" => new ZLibStream(body, CompressionMode.Decompress),
        "br" => new BrotliStream(body, CompressionMode.Decompress),
        var other => throw new NotSupportedException($"Content-Encoding '{Printable(other)}' is not supported; use zstd, gzip, deflate or br."),
    };

    private static async Task CopyLimitedAsync(Stream source, MemoryStream destination, long maxBytes, CancellationToken cancellationToken)
    {
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (destination.Length + read > maxBytes)
                {
                    // A compression bomb stops here, at the limit, not when it has filled memory.
                    throw new BodyTooLargeException();
                }
                destination.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static IResult TooLarge(long maxBytes) =>
        OpenAiError.Result(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {maxBytes} bytes.", "invalid_request_error", "request_too_large");

    private static string Printable(string value) => value.Length <= 40 && value.All(c => c is >= ' ' and <= '~') ? value : "(unreadable)";

    private sealed class BodyTooLargeException : Exception;
}
