using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Edge.OpenAi;

namespace MultiCodex.Edge.Responses;

/// <summary>
/// Reads a /v1 request body as a JSON object: decompresses zstd, gzip, deflate or br bodies (the Codex CLI
/// sends zstd), and enforces the size limit on what the body expands to.
/// </summary>
public static class ClientRequestReader
{
    public static async Task<(JsonObject? Body, IResult? Error)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }
        Stream body;
        try
        {
            body = Decompress(request.Body, request.Headers.ContentEncoding.ToString());
        }
        catch (NotSupportedException e)
        {
            return (null, OpenAiError.Result(StatusCodes.Status415UnsupportedMediaType, e.Message, "invalid_request_error", "unsupported_encoding"));
        }
        await using (body)
        {
            var buffer = new MemoryStream();
            try
            {
                await CopyLimitedAsync(body, buffer, maxBytes, cancellationToken);
            }
            catch (InvalidDataException)
            {
                return (null, TooLarge(maxBytes));
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return (null, TooLarge(maxBytes));
            }
            catch (Exception e) when (e is IOException or ZstdSharp.ZstdException && !cancellationToken.IsCancellationRequested)
            {
                return (null, OpenAiError.Result(StatusCodes.Status400BadRequest, "The request body could not be decompressed.", "invalid_request_error"));
            }
            try
            {
                return JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is JsonObject json
                    ? (json, null)
                    : (null, OpenAiError.Result(StatusCodes.Status400BadRequest, "The request body must be a JSON object.", "invalid_request_error"));
            }
            catch (JsonException e)
            {
                return (null, OpenAiError.Result(StatusCodes.Status400BadRequest,
                    $"The request body is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine}).", "invalid_request_error"));
            }
        }
    }

    private static Stream Decompress(Stream body, string encoding) => encoding.Trim().ToLowerInvariant() switch
    {
        "" or "identity" => body,
        "zstd" => new ZstdSharp.DecompressionStream(body),
        "gzip" => new GZipStream(body, CompressionMode.Decompress),
        "deflate" => new ZLibStream(body, CompressionMode.Decompress),
        "br" => new BrotliStream(body, CompressionMode.Decompress),
        var other => throw new NotSupportedException($"Content-Encoding '{other}' is not supported; use zstd, gzip, deflate or br."),
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
                    throw new InvalidDataException();
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
}
