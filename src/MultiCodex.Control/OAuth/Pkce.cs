using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MultiCodex.Control.OAuth;

/// <summary>PKCE (RFC 7636, S256) and state values, sized as the Codex CLI makes them (docs/chatgpt-sign-in.md §2).</summary>
internal static class Pkce
{
    /// <summary>64 random bytes, base64url without padding (86 characters).</summary>
    public static string NewVerifier() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(64));

    public static string ChallengeOf(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>32 random bytes, base64url without padding.</summary>
    public static string NewState() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
