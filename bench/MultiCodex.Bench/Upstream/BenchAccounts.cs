using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Bench.Upstream;

/// <summary>One synthetic ChatGPT sign-in: JWT-shaped tokens with the claims Control reads, accepted by the fake upstream.</summary>
internal sealed record BenchAccount(string Email, string ChatGptAccountId, string AccessToken, string RefreshToken, string IdToken);

/// <summary>Mints the sign-ins of a run and hands them to the fake upstream through a file.</summary>
internal static class BenchAccounts
{
    private const string AuthClaim = "https://api.openai.com/auth";

    public static IReadOnlyList<BenchAccount> Mint(int count)
    {
        var expires = DateTimeOffset.UtcNow.AddDays(10).ToUnixTimeSeconds();
        return Enumerable.Range(1, count).Select(i =>
        {
            var email = $"bench{i}@example.com";
            var accountId = Guid.NewGuid().ToString();
            var auth = new JsonObject
            {
                ["chatgpt_account_id"] = accountId,
                ["chatgpt_plan_type"] = "pro",
                ["chatgpt_user_id"] = "user-bench" + i,
            };
            var access = Jwt(new JsonObject { ["exp"] = expires, [AuthClaim] = auth.DeepClone(), ["https://api.openai.com/profile"] = new JsonObject { ["email"] = email } });
            var id = Jwt(new JsonObject { ["exp"] = expires, ["email"] = email, [AuthClaim] = auth.DeepClone() });
            return new BenchAccount(email, accountId, access, "rt_" + Guid.NewGuid().ToString("N"), id);
        }).ToList();
    }

    public static void Save(IReadOnlyList<BenchAccount> accounts, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(accounts));

    public static IReadOnlyList<BenchAccount> Load(string path) =>
        JsonSerializer.Deserialize<List<BenchAccount>>(File.ReadAllText(path)) ?? [];

    private static string Jwt(JsonObject payload) =>
        Segment(new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" }) + "." + Segment(payload) + "." + Base64Url.EncodeToString(Guid.NewGuid().ToByteArray());

    private static string Segment(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
