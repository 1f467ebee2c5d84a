using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>The fake ChatGPT backend, Control and the Edge in front: what a /v1 client talks to.</summary>
public sealed class ProxyFixture : IAsyncDisposable
{
    private ProxyFixture(FakeChatGpt upstream, Stack stack)
    {
        Upstream = upstream;
        Stack = stack;
    }

    public FakeChatGpt Upstream { get; }
    public Stack Stack { get; }
    public Uri V1 => new(Stack.Edge.Url, "/v1/");
    public HttpClient Client => Stack.Edge.Http;

    /// <summary>
    /// Starts the fake backend, Control and the Edge; with <paramref name="time"/>, all three share that clock;
    /// <paramref name="edgeTime"/> gives the Edge a clock of its own.
    /// </summary>
    public static async Task<ProxyFixture> StartAsync(Dictionary<string, string?>? settings = null, TimeProvider? time = null, TimeProvider? edgeTime = null)
    {
        var upstream = await FakeChatGpt.StartAsync(time is null ? null : new FakeChatGptOptions { TimeProvider = time });
        var stack = await Stack.StartAsync(Stack.UpstreamSettings(upstream, settings), time, edgeTime);
        return new ProxyFixture(upstream, stack);
    }

    /// <summary>Creates a client key (with <paramref name="limits"/>, if any); returns its secret.</summary>
    public async Task<string> CreateKeyAsync(string name, object? limits = null) =>
        (await Keys.KeyRequests.CreateKeyAsync(Stack.Admin, name, limits)).Secret;

    /// <summary>
    /// Adds an account on the fake and signs it into Control (through its auth.json), and waits until the Edge's view
    /// of the pool has it; returns both.
    /// </summary>
    public async Task<(SimAccount Sim, string Id)> AddAccountAsync(string email, int priority = 0)
    {
        var sim = Upstream.AddAccount(email);
        var response = await Stack.Admin.PostAsJsonAsync("/admin/accounts", new { authJson = sim.AuthJson(), priority });
        response.EnsureSuccessStatusCode();
        await Stack.Edge.SyncPoolAsync();
        return (sim, (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["id"]!);
    }

    public async Task<JsonObject> AccountAsync(string id) =>
        (await Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{id}"))!["account"]!.AsObject();

    public async ValueTask DisposeAsync()
    {
        await Stack.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
