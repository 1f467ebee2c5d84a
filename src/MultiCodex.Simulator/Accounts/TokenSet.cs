namespace MultiCodex.Simulator;

/// <summary>One grant's tokens, as the issuer hands them out.</summary>
/// <param name="AccessToken">JWT sent as <c>Authorization: Bearer</c> to the backend.</param>
/// <param name="RefreshToken">Opaque, single-use (rotates on every refresh).</param>
/// <param name="IdToken">JWT carrying the identity claims.</param>
/// <param name="AccessTokenExpiresAt">The access token's <c>exp</c>.</param>
public sealed record TokenSet(string AccessToken, string RefreshToken, string IdToken, DateTimeOffset AccessTokenExpiresAt);
