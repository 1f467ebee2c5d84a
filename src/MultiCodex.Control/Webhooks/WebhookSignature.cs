using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MultiCodex.Control.Webhooks;

/// <summary>
/// How deliveries are signed (README, Webhooks): HMAC-SHA256, keyed with the webhook's secret (its UTF-8 bytes,
/// prefix included), over <c>&lt;unix seconds&gt;.&lt;body&gt;</c>, sent as
/// <c>X-MultiCodex-Signature: t=&lt;unix seconds&gt;,v1=&lt;lower-case hex&gt;</c>. The timestamp is signed too, so a
/// receiver can refuse an old delivery replayed later.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-MultiCodex-Signature";

    public static string Header(string secret, long unixSeconds, ReadOnlySpan<byte> body) =>
        $"t={unixSeconds.ToString(CultureInfo.InvariantCulture)},v1={Sign(secret, unixSeconds, body)}";

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }
}
