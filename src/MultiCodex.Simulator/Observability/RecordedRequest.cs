using System.Text.Json;

namespace MultiCodex.Simulator;

/// <summary>One request the fake received, for assertions. Headers are kept whole (including
/// <c>Authorization</c>) because tests compare tokens; they are never written to a log.</summary>
public sealed class RecordedRequest
{
    private volatile SimAccount? _account;
    private int _statusCode;

    internal RecordedRequest(
        DateTimeOffset timestamp,
        string method,
        string path,
        string queryString,
        IReadOnlyDictionary<string, string> headers,
        string? contentEncoding,
        string? bodyText,
        JsonElement? json,
        IReadOnlyDictionary<string, string>? form,
        bool isTls)
    {
        Timestamp = timestamp;
        Method = method;
        Path = path;
        QueryString = queryString;
        Headers = headers;
        ContentEncoding = contentEncoding;
        BodyText = bodyText;
        Json = json;
        Form = form;
        IsTls = isTls;
    }

    /// <summary>Arrival time on the fake's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>HTTP method.</summary>
    public string Method { get; }

    /// <summary>Full path, e.g. <c>/backend-api/codex/responses</c> or <c>/oauth/token</c>.</summary>
    public string Path { get; }

    /// <summary>Raw query string including <c>?</c>, or empty.</summary>
    public string QueryString { get; }

    /// <summary>Request headers, case-insensitive names; repeated values joined with <c>", "</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The original <c>Content-Encoding</c> (e.g. <c>zstd</c>), before the fake decompressed the body.</summary>
    public string? ContentEncoding { get; }

    /// <summary>Decompressed body text, or null when there was none.</summary>
    public string? BodyText { get; }

    /// <summary>The body parsed as JSON, when it was JSON.</summary>
    public JsonElement? Json { get; }

    /// <summary>The body parsed as a form, when it was <c>application/x-www-form-urlencoded</c>.</summary>
    public IReadOnlyDictionary<string, string>? Form { get; }

    /// <summary>True when it came through the TLS listener.</summary>
    public bool IsTls { get; }

    /// <summary>Response status; 0 until the response has started.</summary>
    public int StatusCode
    {
        get => Volatile.Read(ref _statusCode);
        internal set => Volatile.Write(ref _statusCode, value);
    }

    /// <summary>The account the request was attributed to (by bearer or refresh token), if any.</summary>
    public SimAccount? Account
    {
        get => _account;
        internal set => _account = value;
    }

    /// <summary>A header value or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>A top-level string (or scalar) field of a JSON or form body, or null.</summary>
    public string? Field(string name)
    {
        if (Form is not null)
        {
            return Form.TryGetValue(name, out var value) ? value : null;
        }

        if (Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty(name, out var prop))
        {
            return prop.ValueKind switch
            {
                JsonValueKind.String => prop.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => prop.GetRawText(),
            };
        }

        return null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Method} {Path}{QueryString} -> {StatusCode}";
}
