using System.IO.Compression;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>
/// Step 1 on HTTP: reads a /v1 body into a pooled buffer. Decompresses zstd, gzip, deflate or br (the Codex CLI
/// sends zstd) and enforces the size limit on what the body expands to. A body the Edge cannot read is the
/// client's problem, answered in OpenAI's shape and never tried against an account: corrupt compressed data is a
/// 400 that names the encoding, a body that arrives too slowly a 408 (Kestrel's minimum data rate), too much a 413.
/// </summary>
internal static class ClientBodyReader
{
    /// <summary>
    /// A body that decoded into something that is not JSON says which encoding it was decoded from: a gzip or deflate
    /// stream cut short decodes without an error into a truncated document, so the encoding may be what is wrong.
    /// </summary>
    public static ClientError NameEncoding(ClientError error, IHeaderDictionary headers) =>
        error.Code == StrictJson.InvalidJsonCode && headers.ContentEncoding.ToString().Trim() is { Length: > 0 } encoding && encoding != "identity"
            ? error with { Message = $"{error.Message} (The body was decoded from its {Printable(encoding)} Content-Encoding.)" }
            : error;

    private const int ReadSize = 16 * 1024;

    public static async ValueTask<(PooledBuffer? Body, ClientError? Error)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
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
            return (null, new ClientError(StatusCodes.Status415UnsupportedMediaType, e.Message, "invalid_request_error", "unsupported_encoding"));
        }
        var buffer = new PooledBuffer(encoding.Length == 0 && request.ContentLength is { } length ? (int)length + 1 : ReadSize);
        var read = false;
        try
        {
            int count;
            while ((count = await body.ReadAsync(buffer.GetMemory(ReadSize), cancellationToken)) > 0)
            {
                buffer.Advance(count);
                if (buffer.Length > maxBytes)
                {
                    return (null, TooLarge(maxBytes));
                }
            }
            read = true;
            return (buffer, null);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            var error = e.StatusCode switch
            {
                StatusCodes.Status408RequestTimeout => new ClientError(408,
                    "The request body arrived too slowly or stopped arriving; send it at once.", "invalid_request_error", "request_timeout"),
                StatusCodes.Status413PayloadTooLarge => TooLarge(maxBytes),
                _ => ClientError.InvalidRequest("The request body could not be read: " + e.Message),
            };
            return (null, error);
        }
        // EndOfStreamException: a zstd stream cut short (the decompressor's word, not the connection's).
        catch (Exception e) when (encoding.Length > 0 && e is InvalidDataException or InvalidOperationException or ZstdSharp.ZstdException or EndOfStreamException)
        {
            return (null, ClientError.InvalidRequest($"The request body could not be decompressed as {encoding}: the data is corrupt.", code: "invalid_encoding"));
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection broke while the body was arriving: the client is gone (and RequestAborted says so).
            request.HttpContext.Abort();
            throw new OperationCanceledException("The client went away while sending the request body.", cancellationToken);
        }
        finally
        {
            if (!read)
            {
                buffer.Dispose();
            }
            if (!ReferenceEquals(body, request.Body))
            {
                await body.DisposeAsync();
            }
        }
    }

    private static Stream Decompress(Stream body, string encoding) => encoding switch
    {
        "" or "identity" => body,
        "zstd" => new ZstdSharp.DecompressionStream(body, leaveOpen: true),
        "gzip" => new GZipStream(body, CompressionMode.Decompress, leaveOpen: true),
        "deflate" => new ZLibStream(body, CompressionMode.Decompress, leaveOpen: true),
        "br" => new BrotliStream(body, CompressionMode.Decompress, leaveOpen: true),
        var other => throw new NotSupportedException($"Content-Encoding '{Printable(other)}' is not supported; use zstd, gzip, deflate or br."),
    };

    // The client's own value is echoed only when it is short, printable text.
    private static string Printable(string value) => value.Length <= 40 && !value.AsSpan().ContainsAnyExceptInRange(' ', '~') ? value : "(unreadable)";

    private static ClientError TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {maxBytes} bytes.", "invalid_request_error", "request_too_large");
}
