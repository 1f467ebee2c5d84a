namespace MultiCodex.Control.Webhooks;

/// <summary>
/// Which webhook addresses are accepted: absolute http or https URLs, without user info (it would be shown back
/// in every listing) or a fragment. Loopback and private addresses are allowed on purpose: receivers often run
/// beside MultiCodex, and only an admin can configure a webhook (README, Webhooks).
/// </summary>
public static class WebhookUrl
{
    public const int MaxLength = 2048;

    /// <summary>Returns the URL to store, or null with a message saying what is wrong.</summary>
    public static string? Validate(string? text, out string error)
    {
        var trimmed = text?.Trim() ?? "";
        error = "";
        if (trimmed.Length == 0)
        {
            error = "Give the URL events are POSTed to, for example https://hooks.example.com/multicodex.";
        }
        else if (trimmed.Length > MaxLength)
        {
            error = $"The URL is longer than {MaxLength} characters.";
        }
        else if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var url))
        {
            error = $"'{trimmed}' is not an absolute URL; give one like https://hooks.example.com/multicodex.";
        }
        else if (url.Scheme is not ("http" or "https"))
        {
            error = $"Only http and https URLs can receive webhooks, not '{url.Scheme}:'.";
        }
        else if (url.Host.Length == 0)
        {
            error = $"'{trimmed}' names no host; give one like https://hooks.example.com/multicodex.";
        }
        else if (url.UserInfo.Length > 0)
        {
            error = "The URL cannot carry a user name or password; receivers authenticate deliveries with the signing secret.";
        }
        else if (url.Fragment.Length > 0)
        {
            error = "The URL cannot have a #fragment (it is never sent to the receiver).";
        }
        else
        {
            return url.AbsoluteUri;
        }
        return null;
    }
}
