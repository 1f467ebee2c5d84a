using System.Net;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>What a person's browser does with a sign-in link: open it at the fake issuer and sign in.</summary>
public static class IssuerBrowser
{
    /// <summary>Opens the authorize URL, signs in as <paramref name="email"/>, and returns the URL the issuer redirects to.</summary>
    public static async Task<string> SignInAsync(string authorizeUrl, string email)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var response = await browser.GetAsync(authorizeUrl + "&login_hint=" + Uri.EscapeDataString(email));
        if (response.StatusCode != HttpStatusCode.Found)
        {
            throw new InvalidOperationException($"The issuer answered {(int)response.StatusCode} instead of redirecting.");
        }
        return response.Headers.Location!.ToString();
    }
}
