using MultiCodex.Edge.Pool;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>Waits on an Edge's pool view that have no event to await.</summary>
internal static class PoolViewWaits
{
    /// <summary>
    /// Waits, at most 15 s, until no lease of <paramref name="view"/> is in flight (and <paramref name="alsoDone"/>
    /// holds). A lease ends just after its client has the whole answer — the pipeline finishes the response first —
    /// so a test that has read every answer may still find the last lease ending. The caller asserts afterwards.
    /// </summary>
    public static async Task WaitUntilNoLeaseInFlightAsync(this PoolView view, Func<bool>? alsoDone = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((view.InFlight() > 0 || alsoDone?.Invoke() == false) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }
}
