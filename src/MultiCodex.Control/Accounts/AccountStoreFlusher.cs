namespace MultiCodex.Control.Accounts;

/// <summary>Writes the store's deferred changes (live usage, last-used times) when Control stops.</summary>
internal sealed class AccountStoreFlusher(AccountStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => store.FlushAsync();
}
