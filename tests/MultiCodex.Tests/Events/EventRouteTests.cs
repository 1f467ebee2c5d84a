using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using MultiCodex.Control.V1;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Events;

/// <summary>The event routes through the front door: the NDJSON watch route, gRPC-Web, and bad input.</summary>
public sealed class EventRouteTests : IAsyncLifetime
{
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task WatchRoute_StreamsNewlineDelimitedJson_WithOnlyTheTypesAskedFor()
    {
        var (sim, id) = await _proxy.AddAccountAsync("ndjson@example.com");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/events/watch?eventTypes=TYPE_POOL_EXHAUSTED&eventTypes=TYPE_ACCOUNT_UNBLOCKED");
        using var response = await _proxy.Stack.Admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        // Once subscribed, Control sends a heartbeat line at once (and every 30 s).
        var heartbeat = JsonNode.Parse((await lines.ReadLineAsync(timeout.Token))!)!;
        sim.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));

        var answer = await _proxy.Client.PostAsync("/v1/responses", new StringContent("""{"model":"gpt-5.5","input":"hi"}""", Encoding.UTF8, "application/json"));
        var exhausted = await NextEventAsync(lines, timeout.Token);
        (await _proxy.Stack.Admin.PostAsync($"/admin/accounts/{id}/unblock", null)).EnsureSuccessStatusCode();
        var unblocked = await NextEventAsync(lines, timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT", (string?)heartbeat["heartbeatTime"]);
        Assert.Null(heartbeat["event"]);
        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        // TYPE_ACCOUNT_BLOCKED came first, and TYPE_POOL_RECOVERED after: both filtered out.
        Assert.Equal("TYPE_POOL_EXHAUSTED", (string?)exhausted["type"]);
        Assert.Equal("0", (string?)exhausted["data"]!["usable_accounts"]);
        Assert.Equal("TYPE_ACCOUNT_UNBLOCKED", (string?)unblocked["type"]);
        Assert.Equal("ndjson@example.com", (string?)unblocked["account"]!["email"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT", (string?)unblocked["time"]);
    }

    /// <summary>The next line that carries an event, past heartbeat lines.</summary>
    private static async Task<JsonNode> NextEventAsync(StreamReader lines, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await lines.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("the watch stream ended");
            if (JsonNode.Parse(line)!["event"] is { } next)
            {
                return next;
            }
        }
    }

    [Fact]
    public async Task WatchEvents_OverGrpcWebThroughTheFrontDoor_DeliversEvents()
    {
        var (sim, id) = await _proxy.AddAccountAsync("grpcweb@example.com");
        using var events = await EventStream.OpenAsync(_proxy.Stack.GrpcWeb, Event.Types.Type.AccountBlocked);
        sim.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));

        await _proxy.Client.PostAsync("/v1/responses", new StringContent("""{"model":"gpt-5.5","input":"hi"}""", Encoding.UTF8, "application/json"));
        var blocked = await events.NextAsync();

        Assert.Equal((Event.Types.Type.AccountBlocked, id), (blocked.Type, blocked.Account.Id));
    }

    [Theory]
    [InlineData("/admin/events?pageSize=-1", "page_size")]
    [InlineData("/admin/events?eventTypes=TYPE_UNSPECIFIED", "event_types")]
    [InlineData("/admin/events/watch?eventTypes=TYPE_UNSPECIFIED", "event_types")]
    public async Task BadInput_Answers400WithAMessage(string route, string field)
    {
        var response = await _proxy.Stack.Admin.GetAsync(route);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, body);
    }

    [Fact]
    public async Task ListEvents_WithoutTheAdminToken_IsRefused()
    {
        using var anonymous = new HttpClient { BaseAddress = _proxy.Stack.Edge.Url };

        var rest = await anonymous.GetAsync("/admin/events");
        var grpc = await Assert.ThrowsAsync<RpcException>(async () =>
            await new EventService.EventServiceClient(_proxy.Stack.Control.Channel).ListEventsAsync(new ListEventsRequest()));

        Assert.Equal(HttpStatusCode.Unauthorized, rest.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, grpc.StatusCode);
    }
}
