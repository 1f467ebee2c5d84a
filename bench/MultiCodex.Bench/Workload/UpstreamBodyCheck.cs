using System.Text.Json;

namespace MultiCodex.Bench.Workload;

/// <summary>What the upstream must receive for a 1 MB request: the same conversation, its strings intact.</summary>
internal static class UpstreamBodyCheck
{
    public static string? Check(Route route, byte[] received)
    {
        var sent = route.Bodies[BodySize.Large];
        if (route.Proxy != "edge")
        {
            // A plain reverse proxy forwards the bytes as they are.
            return received.AsSpan().SequenceEqual(sent) ? null : $"the upstream received {received.Length} bytes that differ from the {sent.Length} sent";
        }
        using var document = JsonDocument.Parse(received);
        var root = document.RootElement;
        var items = root.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Array ? input.GetArrayLength() : -1;
        var tools = root.TryGetProperty("tools", out var list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : -1;
        var sentinels = CountSentinels(root);
        return !root.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True ? "upstream body: stream is not true"
            : !root.TryGetProperty("store", out var store) || store.ValueKind != JsonValueKind.False ? "upstream body: store is not false"
            : items < Payloads.LargeItems ? $"upstream body: {items} input items, expected at least {Payloads.LargeItems}"
            : tools != Payloads.LargeTools ? $"upstream body: {tools} tools, expected {Payloads.LargeTools}"
            : sentinels < 2 ? $"upstream body: the string '{Payloads.Sentinel}' arrived {sentinels} times, expected at least 2 (first and last items)"
            : null;
    }

    private static int CountSentinels(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!.Contains(Payloads.Sentinel, StringComparison.Ordinal) ? 1 : 0,
        JsonValueKind.Object => element.EnumerateObject().Sum(p => CountSentinels(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Sum(CountSentinels),
        _ => 0,
    };
}
