using System.Text.Json;

namespace MultiCodex.Simulator.Tests.Support;

/// <summary>One parsed server-sent event.</summary>
internal sealed record SseMessage(string Event, JsonElement Data)
{
    public string Type => Data.GetProperty("type").GetString()!;
}

/// <summary>Reads a whole <c>text/event-stream</c> body into events (LF framing, one data line per event).</summary>
internal static class SseReader
{
    public static async Task<List<SseMessage>> ReadAllAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return Parse(text);
    }

    public static List<SseMessage> Parse(string text)
    {
        var events = new List<SseMessage>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            string? data = null;
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line["data: ".Length..];
                }
            }

            if (name is not null && data is not null)
            {
                using var doc = JsonDocument.Parse(data);
                events.Add(new SseMessage(name, doc.RootElement.Clone()));
            }
        }

        return events;
    }
}
