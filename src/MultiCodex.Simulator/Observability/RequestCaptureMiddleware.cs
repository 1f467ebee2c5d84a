using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using MultiCodex.Simulator.Hosting;
using ZstdSharp;

namespace MultiCodex.Simulator.Observability;

/// <summary>Step 1 of every request: decompress the body (codex sends <c>Content-Encoding: zstd</c> under
/// ChatGPT auth), buffer and parse it once, and record the request before any endpoint runs.</summary>
internal sealed partial class RequestCaptureMiddleware(RequestDelegate next, SimulatorState state, ILogger<RequestCaptureMiddleware> logger)
{
    private const int MaxBodyBytes = 64 * 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var encoding = request.Headers.ContentEncoding.ToString();
        byte[] body;
        try
        {
            body = await ReadBodyAsync(request.Body, encoding, context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or ZstdException or NotSupportedException or IOException)
        {
            LogBadBody(logger, request.Method, request.Path, encoding);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { detail = "Could not decode the request body." }, context.RequestAborted);
            return;
        }

        request.Body = new MemoryStream(body, writable: false);
        request.ContentLength = body.Length;
        request.Headers.Remove(HeaderNames.ContentEncoding);

        var recorded = Record(context, encoding, body);
        context.Items[typeof(RecordedRequest)] = recorded;
        context.Response.OnStarting(() =>
        {
            recorded.StatusCode = context.Response.StatusCode;
            return Task.CompletedTask;
        });
        state.Requests.Add(recorded);

        await next(context);

        recorded.StatusCode = context.Response.StatusCode;
        LogRequest(logger, request.Method, request.Path, context.Response.StatusCode);
    }

    private static async Task<byte[]> ReadBodyAsync(Stream raw, string encoding, CancellationToken cancellationToken)
    {
        // The decompressors leave the request stream open; the request stream itself is Kestrel's to dispose.
        Stream source = encoding.Trim().ToLowerInvariant() switch
        {
            "" or "identity" => raw,
            "zstd" => new DecompressionStream(raw, leaveOpen: true),
            "gzip" => new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(raw, CompressionMode.Decompress, leaveOpen: true),
            "br" => new BrotliStream(raw, CompressionMode.Decompress, leaveOpen: true),
            _ => throw new NotSupportedException("Unsupported Content-Encoding."),
        };
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    throw new InvalidDataException("Request body too large.");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        finally
        {
            if (!ReferenceEquals(source, raw))
            {
                await source.DisposeAsync();
            }
        }
    }

    private RecordedRequest Record(HttpContext context, string encoding, byte[] body)
    {
        var request = context.Request;
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        if (encoding.Length > 0)
        {
            headers[HeaderNames.ContentEncoding] = encoding;
        }

        string? text = body.Length == 0 ? null : Encoding.UTF8.GetString(body);
        JsonElement? json = null;
        IReadOnlyDictionary<string, string>? form = null;
        var contentType = request.ContentType ?? "";
        if (text is not null && contentType.Contains("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            form = QueryHelpers.ParseQuery(text).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        }
        else if (text is not null && text.TrimStart() is ['{' or '[', ..])
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                json = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Left as text; the endpoint answers the parse error in its own words.
            }
        }

        return new RecordedRequest(
            state.Now,
            request.Method,
            request.PathBase.Add(request.Path).Value ?? "/",
            request.QueryString.Value ?? "",
            headers,
            encoding.Length == 0 ? null : encoding,
            text,
            json,
            form,
            request.IsHttps);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} -> {StatusCode}")]
    private static partial void LogRequest(ILogger logger, string method, PathString path, int statusCode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Method} {Path}: body with Content-Encoding '{Encoding}' could not be decoded")]
    private static partial void LogBadBody(ILogger logger, string method, PathString path, string encoding);
}

/// <summary>Access to the request record from endpoints.</summary>
internal static class RecordedRequestExtensions
{
    public static RecordedRequest Recorded(this HttpContext context) => (RecordedRequest)context.Items[typeof(RecordedRequest)]!;
}
