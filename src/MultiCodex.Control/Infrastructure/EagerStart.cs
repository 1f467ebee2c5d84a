using Microsoft.Extensions.Options;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.ApiKeys;
using MultiCodex.Control.History;
using MultiCodex.Control.OAuth;
using MultiCodex.Control.Pool;
using MultiCodex.Control.Upstream;
using MultiCodex.Control.Usage;
using MultiCodex.Control.Webhooks;

namespace MultiCodex.Control.Infrastructure;

/// <summary>What Control checks and loads before it answers anything.</summary>
internal static class EagerStart
{
    /// <summary>
    /// Validates every option and loads every data file now, so that a bad value or a damaged file stops the start
    /// with a message (exit code 2) instead of answering a later request with a 500.
    /// </summary>
    public static WebApplication ValidateOptionsAndLoadState(this WebApplication app)
    {
        var services = app.Services;
        _ = services.GetRequiredService<IOptions<ControlOptions>>().Value;
        _ = services.GetRequiredService<IOptions<UpstreamOptions>>().Value;
        _ = services.GetRequiredService<IOptions<UsageOptions>>().Value;
        _ = services.GetRequiredService<IOptions<PoolOptions>>().Value;
        _ = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        _ = services.GetRequiredService<IOptions<HistoryOptions>>().Value;
        _ = services.GetRequiredService<AccountStore>();
        _ = services.GetRequiredService<OAuthFlowStore>();
        _ = services.GetRequiredService<ApiKeyStore>();
        _ = services.GetRequiredService<WebhookStore>();
        _ = services.GetRequiredService<HistoryDatabase>();
        _ = services.GetRequiredService<UsageHistory>();
        return app;
    }
}
