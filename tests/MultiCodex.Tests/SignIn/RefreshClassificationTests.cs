using MultiCodex.Control.OAuth;
using Xunit;

namespace MultiCodex.Tests.SignIn;

/// <summary>Which refresh failures need a new sign-in (permanent) and which are worth retrying (transient).</summary>
public sealed class RefreshClassificationTests
{
    private const string SignedOutMessage =
        "Your access token could not be refreshed because you have since logged out or signed in to another account. Please sign in again.";

    [Theory]
    [InlineData(401, null, null, "HTTP 401")]
    [InlineData(400, "invalid_grant", null, "invalid_grant")]
    [InlineData(400, "invalid_refresh_token", null, "invalid_refresh_token")]
    [InlineData(403, "refresh_token_reused", null, "refresh_token_reused")]
    [InlineData(400, null, SignedOutMessage, TokenGrantResult.SignedOutElsewhere)]
    public void Permanent_NeedsANewSignIn(int status, string? code, string? message, string reason)
    {
        var result = new TokenGrantResult(null, status, code, message);

        Assert.True(result.IsPermanent);
        Assert.Equal(reason, result.Reason);
    }

    [Theory]
    [InlineData(500, null, null)]
    [InlineData(0, null, null)]
    [InlineData(429, "rate_limit_exceeded", "Too many requests")]
    [InlineData(400, "invalid_request", "Something else went wrong")]
    public void Transient_IsRetriedLater(int status, string? code, string? message)
    {
        Assert.False(new TokenGrantResult(null, status, code, message).IsPermanent);
    }
}
