using System.IO.Compression;
using System.Text;

namespace MultiCodex.Tests.Security;

/// <summary>How a refusal must look.</summary>
public enum ErrorShape
{
    /// <summary><c>{"error":{"message","type","param","code"}}</c> (/v1).</summary>
    OpenAi,

    /// <summary><c>{"code","message"}</c>, the shape of transcoded gRPC errors (/admin).</summary>
    Admin,

    /// <summary>HTTP 200 with <c>grpc-status</c> and <c>grpc-message</c> (gRPC-Web).</summary>
    Grpc,

    /// <summary>A plain-text message (host names, dashboard pages).</summary>
    Text,

    /// <summary>Kestrel refused the bytes themselves (malformed HTTP): a status, no body to speak of.</summary>
    Bare,
}

/// <summary>What a case needs to know about the running system.</summary>
public sealed record HostileContext(Uri Edge, string AdminToken, string ApiKey, string AccountId)
{
    public string Host => $"127.0.0.1:{Edge.Port}";
}

/// <summary>One hostile request and the answer it must get.</summary>
/// <param name="Send">The bytes to send; a null part stops sending (a stalled body).</param>
/// <param name="Fragment">Text the message must contain (the body, or grpc-message).</param>
/// <param name="GrpcStatus">For <see cref="ErrorShape.Grpc"/>, the expected grpc-status.</param>
public sealed record HostileCase(
    string Name, Func<HostileContext, IReadOnlyList<byte[]?>> Send, int Status, ErrorShape Shape, string? Fragment = null, int? GrpcStatus = null)
{
    public override string ToString() => Name;
}

/// <summary>Builders for raw requests. Header text is Latin-1, so "\u00C3\u00A9" puts the bytes C3 A9 (UTF-8 é) on the wire.</summary>
internal static class Raw
{
    public static readonly byte[] Ok = "{\"model\":\"gpt-5.5\",\"input\":\"hi\"}"u8.ToArray();

    public static byte[] Request(string method, string target, IEnumerable<string>? headers, byte[]? body, string? host, bool contentLength = true)
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\n");
        if (host is not null)
        {
            head.Append($"Host: {host}\r\n");
        }
        foreach (var header in headers ?? [])
        {
            head.Append(header).Append("\r\n");
        }
        if (body is not null && contentLength)
        {
            head.Append($"Content-Length: {body.Length}\r\n");
        }
        head.Append("Connection: close\r\n\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body ?? []];
    }

    /// <summary>A /v1 call with the client key and a JSON content type.</summary>
    public static Func<HostileContext, IReadOnlyList<byte[]?>> V1(string path, byte[] body, params string[] headers) =>
        c => [Request("POST", path, [$"Authorization: Bearer {c.ApiKey}", "Content-Type: application/json", .. headers], body, c.Host)];

    /// <summary>A /v1 call whose body is compressed (or claims to be) with <paramref name="encoding"/>.</summary>
    public static Func<HostileContext, IReadOnlyList<byte[]?>> V1Encoded(string encoding, byte[] body) =>
        V1("/v1/responses", body, $"Content-Encoding: {encoding}");

    /// <summary>An /admin call with the admin token and a JSON content type.</summary>
    public static Func<HostileContext, IReadOnlyList<byte[]?>> Admin(string method, string path, string? json, params string[] headers) =>
        c => [Request(method, path.Replace("{id}", c.AccountId), [$"x-admin-token: {c.AdminToken}", "Content-Type: application/json", .. headers],
            json is null ? null : Encoding.UTF8.GetBytes(json), c.Host)];

    /// <summary>An /admin call with raw body bytes.</summary>
    public static Func<HostileContext, IReadOnlyList<byte[]?>> AdminBytes(string method, string path, byte[] body, params string[] headers) =>
        c => [Request(method, path, [$"x-admin-token: {c.AdminToken}", "Content-Type: application/json", .. headers], body, c.Host)];

    /// <summary>A gRPC-Web call (one frame) with the admin token unless <paramref name="token"/> says otherwise.</summary>
    public static Func<HostileContext, IReadOnlyList<byte[]?>> GrpcWeb(string path, byte[] frame, bool token = true, params string[] headers) =>
        c => [Request("POST", path, [.. (token ? [$"x-admin-token: {c.AdminToken}"] : Array.Empty<string>()), "Content-Type: application/grpc-web+proto",
            "X-Grpc-Web: 1", .. headers], frame, c.Host)];

    /// <summary>A gRPC frame: flag, 4-byte big-endian length, message.</summary>
    public static byte[] Frame(byte[] message, int? declaredLength = null)
    {
        var length = declaredLength ?? message.Length;
        return [0, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length, .. message];
    }

    public static Func<HostileContext, IReadOnlyList<byte[]?>> Get(string target, params string[] headers) =>
        c => [Request("GET", target, headers, null, c.Host)];

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Gzip(byte[] data) => Compress(data, s => new GZipStream(s, CompressionLevel.Fastest));

    public static byte[] Zstd(byte[] data) => new ZstdSharp.Compressor(1).Wrap(data).ToArray();

    /// <summary>A JSON body that expands far past the limit: a long string of one letter, compressed to a few KB.</summary>
    public static byte[] Bomb(long size)
    {
        var json = new byte[size];
        Array.Fill(json, (byte)'a');
        "{\"model\":\"gpt-5.5\",\"input\":\""u8.CopyTo(json);
        return json;
    }

    private static byte[] Compress(byte[] data, Func<Stream, Stream> compressor)
    {
        var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(data);
        }
        return output.ToArray();
    }
}
