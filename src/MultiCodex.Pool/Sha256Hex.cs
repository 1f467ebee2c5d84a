using System.Security.Cryptography;
using System.Text;

namespace MultiCodex.Pool;

/// <summary>
/// How a secret is named between Control and the Edges without being sent: the lowercase hex SHA-256 of its UTF-8
/// bytes. Client keys are stored and pushed this way, and an Edge names a refused access token this way; both sides
/// must hash alike, so they share this one function.
/// </summary>
public static class Sha256Hex
{
    public static string Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
