using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// A fault in front of the fake ChatGPT backend: the first <c>stalls</c> Responses requests get their headers (200,
/// text/event-stream, flushed) and then nothing, until the caller gives up; every other request is passed to the fake
/// as it is. The Edge's CHATGPT_BASE_URL points here; Control keeps talking to the fake itself.
/// </summary>
public sealed class StallingUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _forward = new();
    private int _stallsLeft;
    private int _stalled;

    private StallingUpstream(WebApplication app, int stalls)
    {
        _app = app;
        _stallsLeft = stalls;
    }

    /// <summary>The base the Edge uses as CHATGPT_BASE_URL.</summary>
    public string BackendBaseUrl => ServerAddress.Of(_app).ToString().TrimEnd('/') + "/backend-api";

    /// <summary>How many requests were answered with headers and silence.</summary>
    public int Stalled => Volatile.Read(ref _stalled);

    public static async Task<StallingUpstream> StartAsync(string fakeBackendBaseUrl, int stalls)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var upstream = new StallingUpstream(app, stalls);
        app.Run(context => upstream.HandleAsync(context, fakeBackendBaseUrl));
        await app.StartAsync();
        return upstream;
    }

    private async Task HandleAsync(HttpContext context, string fakeBackendBaseUrl)
    {
        if (context.Request.Path.Value!.EndsWith("/codex/responses", StringComparison.Ordinal) && Interlocked.Decrement(ref _stallsLeft) >= 0)
        {
            Interlocked.Increment(ref _stalled);
            context.Response.ContentType = "text/event-stream";
            context.Features.Get<IHttpResponseBodyFeature>()!.DisableBuffering();
            await context.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        var path = context.Request.Path.Value!["/backend-api".Length..] + context.Request.QueryString;
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), fakeBackendBaseUrl + path);
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            request.Content = new ByteArrayContent(body.ToArray());
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(context.Request.ContentType ?? "application/json");
        }
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name is not ("Host" or "Content-Length" or "Content-Type" or "Transfer-Encoding"))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        using var answer = await _forward.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (name is not "Transfer-Encoding")
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }
        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        _forward.Dispose();
        await _app.DisposeAsync();
    }
}
