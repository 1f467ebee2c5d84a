using System.Security.Cryptography;

namespace MultiCodex.Simulator.Hosting;

/// <summary>Random identifiers and secrets in the shapes the real services use.</summary>
internal static class Ids
{
    private const string Alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>Random letters and digits.</summary>
    public static string Random(int length) => RandomNumberGenerator.GetString(Alphanumeric, length);

    /// <summary>Lower-case hex, e.g. for <c>resp_…</c>, <c>msg_…</c>.</summary>
    public static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>Base64url of random bytes, no padding (PKCE verifiers, opaque tokens).</summary>
    public static string Base64Url(int bytes) => Base64UrlEncode(RandomNumberGenerator.GetBytes(bytes));

    public static string Uuid() => Guid.NewGuid().ToString("D");

    public static string Base64UrlEncode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>PKCE S256: BASE64URL(SHA256(ASCII(verifier))).</summary>
    public static string S256(string verifier) => Base64UrlEncode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
}
