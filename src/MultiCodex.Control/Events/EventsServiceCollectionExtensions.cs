namespace MultiCodex.Control.Events;

internal static class EventsServiceCollectionExtensions
{
    /// <summary>The event bus, and the detector that turns account state changes into events.</summary>
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        return services.AddSingleton<ControlEvents>().AddHostedService<AccountEventDetector>();
    }
}
