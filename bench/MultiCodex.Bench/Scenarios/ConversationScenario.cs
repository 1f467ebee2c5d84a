using MultiCodex.Bench.Upstream;
using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench.Scenarios;

/// <summary>
/// A Codex conversation of <see cref="Turns"/> turns with a growing history, through the Edge over HTTP (each turn
/// re-sends everything) and over the Responses WebSocket (each turn sends its new message only), one turn after
/// another on one connection. Per turn: the bytes that reached the upstream, the time to the first event; over all
/// turns, the Edge's CPU per turn. <see cref="Conversations"/> conversations per transport and round.
/// </summary>
internal sealed class ConversationScenario : IScenario
{
    public const string ScenarioName = "Multi-turn conversation (20 turns, growing history; Edge over HTTP and over WebSocket)";

    public const int Turns = 20;

    private const int Conversations = 5;

    private const string Http = "edge http";
    private const string Socket = "edge websocket";

    // The turns shown one by one; "all turns" sums up every turn.
    private static readonly int[] Shown = [1, 2, 5, 10, 20];

    public string Key => "conversation";

    public string Name => ScenarioName;

    public async Task SmokeAsync(BenchContext context, SmokeChecks checks)
    {
        long[]? httpBytes = null;
        await checks.RunAsync("conversation over HTTP, 3 turns", async () =>
        {
            (var turns, httpBytes) = await HttpConversationAsync(context, "smoke-http", 3);
            return turns.FirstOrDefault(t => t.Failure is not null)?.Failure;
        });
        await checks.RunAsync("conversation over WebSocket, 3 turns, continuations smaller than HTTP's", async () =>
        {
            var (turns, bytes) = await SocketConversationAsync(context, "smoke-ws", 3);
            if (turns.FirstOrDefault(t => t.Failure is not null) is { } failed)
            {
                return failed.Failure;
            }
            if (turns.FirstOrDefault(t => t.Text != CodexStream.Text) is not null)
            {
                return "an answer's text differs from the upstream's";
            }
            return httpBytes is not null && bytes[2] >= httpBytes[2] ? $"turn 3 sent {bytes[2]} bytes upstream, HTTP {httpBytes[2]}" : null;
        });
    }

    public async Task RunRoundAsync(BenchContext context, int round)
    {
        string[] transports = round % 2 == 1 ? [Http, Socket] : [Socket, Http];
        foreach (var transport in transports)
        {
            context.Log($"round {round}: conversation {transport}");
            var firstEvent = Enumerable.Range(0, Turns).Select(_ => new List<double>()).ToArray();
            var bytes = new long[Turns];
            var failures = 0;
            var cpuBefore = CpuSnapshot.Take(context.Stack);
            for (var c = 0; c < Conversations; c++)
            {
                var id = $"bench-{round}-{transport.Replace(' ', '-')}-{c}";
                var (turns, sent) = transport == Http ? await HttpConversationAsync(context, id, Turns) : await SocketConversationAsync(context, id, Turns);
                for (var t = 0; t < Turns; t++)
                {
                    firstEvent[t].Add(turns[t].FirstEventMs);
                    bytes[t] += sent[t];
                    failures += turns[t].Failure is null ? 0 : 1;
                }
            }
            var cpu = CpuSnapshot.Take(context.Stack).Since(cpuBefore, "edge");
            void Add(string load, string metric, double value) => context.Results.Add(ScenarioName, transport, load, metric, round, value);
            foreach (var turn in Shown)
            {
                Add($"turn {turn}", "upstream_bytes_per_turn", (double)bytes[turn - 1] / Conversations);
                Add($"turn {turn}", "ttfb_p50_ms", Stats.Percentile(firstEvent[turn - 1], 50));
            }
            const string all = "all 20 turns";
            Add(all, "upstream_bytes_per_turn", (double)bytes.Sum() / (Conversations * Turns));
            Add(all, "ttfb_p50_ms", Stats.Percentile(firstEvent.SelectMany(t => t), 50));
            Add(all, "cpu_edge_ms_per_turn", cpu * 1000 / (Conversations * Turns));
            Add(all, "errors", failures);
        }
    }

    // One conversation over HTTP; per turn what the client saw and the bytes the upstream received.
    private static async Task<(List<Turn> Turns, long[] Bytes)> HttpConversationAsync(BenchContext context, string id, int count)
    {
        var route = context.Route(Route.EdgeResponses);
        var conversation = new Conversation(id);
        var turns = new List<Turn>();
        var bytes = new long[count];
        for (var turn = 1; turn <= count; turn++)
        {
            var before = await context.Stack.CountersAsync();
            var exchange = await context.Client.SendAsync(route, conversation.HttpBody(turn));
            bytes[turn - 1] = (await context.Stack.CountersAsync()).BodyBytes - before.BodyBytes;
            var failure = exchange.Failure ?? (exchange.Status != 200 ? $"HTTP {exchange.Status}" : route.Check(exchange));
            turns.Add(new Turn(exchange.FirstBodyMs, exchange.FullMs, CodexStream.Text, failure));
            conversation.Answered(turn, CodexStream.Text);
        }
        return (turns, bytes);
    }

    // The same conversation over one client WebSocket: a full first turn, then continuations.
    private static async Task<(List<Turn> Turns, long[] Bytes)> SocketConversationAsync(BenchContext context, string id, int count)
    {
        var conversation = new Conversation(id);
        var turns = new List<Turn>();
        var bytes = new long[count];
        await using var client = await SocketConversationClient.ConnectAsync(context.Stack.EdgeUrl, context.Stack.ClientKey);
        string? previous = null;
        for (var turn = 1; turn <= count; turn++)
        {
            var before = await context.Stack.CountersAsync();
            var (answer, responseId) = await client.AskAsync(conversation.SocketFrame(turn, previous));
            bytes[turn - 1] = (await context.Stack.CountersAsync()).BodyBytes - before.BodyBytes;
            turns.Add(answer);
            conversation.Answered(turn, answer.Text);
            previous = responseId;
        }
        return (turns, bytes);
    }
}
