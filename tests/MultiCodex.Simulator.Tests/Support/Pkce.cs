using System.Security.Cryptography;
using System.Text;

namespace MultiCodex.Simulator.Tests.Support;

/// <summary>PKCE the way codex makes it: 64 random bytes as base64url, S256 challenge.</summary>
internal static class Pkce
{
    public static string NewVerifier() => Base64Url(RandomNumberGenerator.GetBytes(64));

    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
