using System.Security.Cryptography;
using System.Text;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.Backend;

/// <summary>The opaque <c>encrypted_content</c> of compaction items. The real backend encrypts its summary and refuses
/// content it cannot decrypt (<c>invalid_encrypted_content</c>); the fake signs a random summary id with a key of its
/// own, so only items this fake (or its saved demo state) minted come back valid. Whether the real backend accepts
/// one account's item on another account is not known, so the fake accepts any of its own.</summary>
internal sealed class CompactionSeal(byte[] key)
{
    private const string Prefix = "gAAAAC";

    /// <summary>The signing key (saved with the demo state so a restart keeps old items valid).</summary>
    public byte[] Key { get; } = key;

    public string Mint()
    {
        var body = Ids.Base64Url(48);
        return Prefix + body + "." + Sign(body);
    }

    public bool Verify(string? content)
    {
        if (content is null || !content.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var dot = content.LastIndexOf('.');
        if (dot <= Prefix.Length)
        {
            return false;
        }

        var body = content[Prefix.Length..dot];
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(body)), Encoding.ASCII.GetBytes(content[(dot + 1)..]));
    }

    private string Sign(string body) => Ids.Base64UrlEncode(HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes(body)));
}
