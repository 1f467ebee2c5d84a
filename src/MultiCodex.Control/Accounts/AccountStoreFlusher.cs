using MultiCodex.Control.Infrastructure.Storage;

namespace MultiCodex.Control.Accounts;

/// <summary>Writes the store's deferred changes (live usage, last-used times) when Control stops.</summary>
internal sealed partial class AccountStoreFlusher(AccountStore store, ILogger<AccountStoreFlusher> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.FlushAsync();
        }
        catch (StorageUnavailableException e)
        {
            // Only live usage and last-used times were pending: the next usage probe brings them back.
            Log.FlushFailed(logger, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1905, LogLevel.Error, "Pending usage could not be saved on shutdown: {Error}")]
        public static partial void FlushFailed(ILogger logger, string error);
    }
}
