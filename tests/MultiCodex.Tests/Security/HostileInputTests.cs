using System.Net;
using System.Text.Json;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Security;

/// <summary>
/// Runs every <see cref="HostileInputCases"/> case against the real system and checks what a user would notice: the
/// status and shape of the answer, never a 500; the data folder byte for byte as it was; the upstream account never
/// tried; /readyz still 200; no secret in the answer; no unhandled exception in any log line it caused.
/// </summary>
public sealed class HostileInputTests(HostileInputFixture fixture) : IClassFixture<HostileInputFixture>
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void TheTable_HasAtLeastSixtyCases_WithDistinctNames()
    {
        Assert.True(HostileInputCases.All.Count >= 60, $"only {HostileInputCases.All.Count} cases");
        Assert.Equal(HostileInputCases.All.Count, HostileInputCases.All.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(HostileInputCases.Names), MemberType = typeof(HostileInputCases))]
    public async Task HostileRequest_GetsAClearRefusal_AndChangesNothing(string name)
    {
        var hostile = HostileInputCases.All.Single(c => c.Name == name);
        var context = new HostileContext(fixture.Edge.Url, fixture.AdminToken, fixture.ApiKey, fixture.AccountId);
        var filesBefore = fixture.DataFiles();
        var upstreamBefore = fixture.Account.ResponsesRequestCount;
        var logsBefore = TestLogs.All(fixture.LogSources).Count;

        var response = await RawHttp.SendAsync(fixture.Edge.Url, hostile.Send(context), CaseTimeout);
        var ready = await fixture.Admin.GetAsync("/readyz");

        Assert.True(response.Status == hostile.Status, $"expected {hostile.Status}, got:\n{response}");
        AssertShape(hostile, response);
        Assert.True(ready.StatusCode == HttpStatusCode.OK,
            $"/readyz answered {ready.StatusCode}; recent log lines:\n{string.Join("\n", TestLogs.All(fixture.LogSources).TakeLast(15))}");
        Assert.Equal(upstreamBefore, fixture.Account.ResponsesRequestCount);
        AssertSameFiles(filesBefore, fixture.DataFiles());
        Assert.Empty(fixture.Secrets.FindIn(response.ToString(), "the answer"));
        var newLines = TestLogs.All(fixture.LogSources).Skip(logsBefore).ToList();
        var faults = TestLogs.Faults(fixture.LogSources).Where(newLines.Contains).ToList();
        Assert.True(faults.Count == 0, "faults in the log:\n" + string.Join("\n", faults));
        Assert.Empty(newLines.SelectMany(l => fixture.Secrets.FindIn(l.Text, "a log line")));
    }

    private static void AssertShape(HostileCase hostile, RawHttp.Response response)
    {
        switch (hostile.Shape)
        {
            case ErrorShape.OpenAi:
                var error = JsonDocument.Parse(response.Body).RootElement.GetProperty("error");
                Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
                Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()));
                Assert.True(error.TryGetProperty("param", out _) && error.TryGetProperty("code", out _), response.Text);
                AssertFragment(hostile, error.GetProperty("message").GetString()!);
                break;
            case ErrorShape.Admin:
                var admin = JsonDocument.Parse(response.Body).RootElement;
                Assert.True(admin.GetProperty("code").GetInt32() > 0, response.Text);
                Assert.False(string.IsNullOrWhiteSpace(admin.GetProperty("message").GetString()));
                AssertFragment(hostile, admin.GetProperty("message").GetString()!);
                break;
            case ErrorShape.Grpc:
                var status = response.Header("grpc-status");
                Assert.True(status is not null && status != "0", $"no gRPC error status:\n{response}");
                if (hostile.GrpcStatus is { } expected)
                {
                    Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), status);
                }
                var message = Uri.UnescapeDataString(response.Header("grpc-message") ?? "");
                Assert.False(string.IsNullOrWhiteSpace(message), response.ToString());
                AssertFragment(hostile, message);
                break;
            case ErrorShape.Text:
                Assert.False(string.IsNullOrWhiteSpace(response.Text), response.ToString());
                AssertFragment(hostile, response.Text);
                break;
            case ErrorShape.Bare:
                break;
        }
    }

    private static void AssertFragment(HostileCase hostile, string message)
    {
        if (hostile.Fragment is { } fragment)
        {
            Assert.Contains(fragment, message, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static void AssertSameFiles(IReadOnlyDictionary<string, byte[]> before, IReadOnlyDictionary<string, byte[]> after)
    {
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (name, bytes) in before)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed");
        }
    }
}
