using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Events;

/// <summary>Asserts that a text (an event, a webhook body) holds none of the tokens stored in accounts.json.</summary>
public static class NoTokens
{
    public static void In(string text, TempDirectory data)
    {
        var accounts = JsonNode.Parse(File.ReadAllText(data.File("accounts.json")))!["accounts"]!.AsArray();
        Assert.NotEmpty(accounts);
        foreach (var account in accounts)
        {
            foreach (var name in new[] { "accessToken", "refreshToken", "idToken" })
            {
                if ((string?)account!["tokens"]![name] is { Length: > 0 } token)
                {
                    Assert.DoesNotContain(token, text);
                }
            }
        }
    }
}
