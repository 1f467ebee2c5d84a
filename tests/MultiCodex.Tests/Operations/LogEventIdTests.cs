using System.Reflection;
using Microsoft.Extensions.Logging;

namespace MultiCodex.Tests.Operations;

/// <summary>
/// Operators filter and alert on a log line's EventId (`LOG_FORMAT=json` writes it): within one app each id names one message.
/// </summary>
public sealed class LogEventIdTests
{
    public static TheoryData<string> Apps => new() { "MultiCodex.Control", "MultiCodex.Edge", "MultiCodex.Simulator" };

    [Theory]
    [MemberData(nameof(Apps))]
    public void Every_log_message_of_an_app_has_its_own_event_id(string app)
    {
        var messages = Assembly.Load(app).GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();
        Assert.NotEmpty(messages);

        var shared = messages
            .GroupBy(m => m.Attribute!.EventId)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: " + string.Join(", ", group.Select(m => $"{m.Method.DeclaringType!.Name}.{m.Method.Name}")))
            .ToList();
        Assert.True(shared.Count == 0, "event ids used by more than one message: " + string.Join("; ", shared));
    }
}
