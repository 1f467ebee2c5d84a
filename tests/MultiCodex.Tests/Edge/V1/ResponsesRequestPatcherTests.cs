using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using MultiCodex.Edge.V1.Protocol;
using MultiCodex.Edge.V1.Responses;

namespace MultiCodex.Tests.Edge.V1;

/// <summary>A Responses body is patched, not re-encoded: only what the upstream needs changes, every other byte is the client's.</summary>
public sealed class ResponsesRequestPatcherTests
{
    [Fact]
    public void Patch_KeepsEveryUntouchedByte_NonAsciiEscapesNumbersAndUnknownFields()
    {
        const string input = """[{"role":"user","content":[{"type":"input_text","text":"Grüße <b> & 'x' + \u00e9 \/ 😀 \"q\""}]},{"type":"function_call_output","call_id":"c1","output":"{\"a\":1.50}"}]""";
        const string unknown = """{"n":-0.0,"big":1E+400,"small":1e-7,"arr":[ 1 , 2 ],"deep":{"a":{"b":[{"c":null}]}}}""";
        var body = $$"""{"model":"gpt-5.5","input":{{input}},"temperature":0.2,"x_unknown":{{unknown}},"stream":false,"store":true,"metadata":{"k":"v"},"tools":[]}""";

        var (patched, facts) = Patch(body);

        Assert.Equal($$"""{"model":"gpt-5.5","input":{{input}},"x_unknown":{{unknown}},"tools":[],"stream":true,"store":false}""", patched);
        Assert.Equal("gpt-5.5", facts.Model);
        Assert.False(facts.ClientStreams);
    }

    [Fact]
    public void Patch_ForwardsAboutTheBytesItReceived()
    {
        var items = string.Join(",", Enumerable.Range(0, 200).Select(i =>
            $$"""{"type":"message","role":"user","id":"msg_{{i}}","content":[{"type":"input_text","text":"Schritt {{i}}: <tag> & 'quote' + ünïcödé ✓ — 日本語"}]}"""));
        var body = $$"""{"model":"gpt-5.5","input":[{{items}}],"stream":true,"prompt_cache_key":"thread-1"}""";

        var (patched, facts) = Patch(body);

        var received = Encoding.UTF8.GetByteCount(body);
        var forwarded = Encoding.UTF8.GetByteCount(patched);
        Assert.InRange(forwarded, received, received + 20); // only ,"store":false is added
        Assert.Contains(items, patched);
        Assert.True(facts.ClientStreams);
        Assert.Equal("thread-1", facts.PromptCacheKey);
    }

    [Fact]
    public void Patch_AStringInput_BecomesOneUserMessage_WithTheStringTokenAsSent()
    {
        var (patched, _) = Patch("""{"model":"m","input":"caf\u00e9 \"hi\""}""");

        Assert.Equal("""{"model":"m","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"caf\u00e9 \"hi\""}]}],"stream":true,"store":false}""", patched);
    }

    [Fact]
    public void Patch_SystemRoles_BecomeDeveloper_AndNothingElseInTheItemMoves()
    {
        var (patched, _) = Patch("""{"model":"m","input":[{"role":"system","content":"be brief"},{"content":"x","role":"\u0073ystem","id":"a"},{"role":"user","content":"system"}]}""");

        Assert.Equal("""{"model":"m","input":[{"role":"developer","content":"be brief"},{"content":"x","role":"developer","id":"a"},{"role":"user","content":"system"}],"stream":true,"store":false}""", patched);
    }

    [Fact]
    public void Patch_PreviousResponseIdAndServiceTier_AreReadButOnlyTheTierTravels()
    {
        var (patched, facts) = Patch("""{"model":"m","input":[],"previous_response_id":"resp_1","service_tier":"priority"}""");

        Assert.Equal("""{"model":"m","input":[],"service_tier":"priority","stream":true,"store":false}""", patched);
        Assert.Equal("resp_1", facts.PreviousResponseId);
        Assert.Equal("priority", facts.ServiceTier);
    }

    [Fact]
    public void Patch_AnEscapedSurrogatePair_IsText_AndTravelsAsSent()
    {
        var (patched, _) = Patch("""{"model":"m","input":"\ud83d\ude00 \u00e9"}""");

        Assert.Contains("\"text\":\"\\ud83d\\ude00 \\u00e9\"", patched);
    }

    [Fact]
    public void Patch_AByteOrderMark_IsAcceptedAndNotSentOn()
    {
        var (patched, _) = Patch("\uFEFF{\"model\":\"m\",\"input\":[]}");

        Assert.Equal("""{"model":"m","input":[],"stream":true,"store":false}""", patched);
    }

    [Theory]
    [InlineData("""{"model":"m","model":"n","input":[]}""", "'model' appears twice")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"a","text":"b"}]}]}""", "'text' appears twice")]
    [InlineData("""{"model":"m","input":[],"tools":[{"parameters":{"properties":{"x":{},"\u0078":{}}}}]}""", "'x' appears twice")]
    [InlineData("""{"model":"m","input":"\ud800"}""", "half a surrogate pair")]
    [InlineData("""{"model":"\udc00x","input":[]}""", "half a surrogate pair")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":"\ud83d\u0041"}]}""", "half a surrogate pair")]
    [InlineData("""{"model":"m","input":[],"\ud800":1}""", "half a surrogate pair")]
    [InlineData("""{"model":"m","input":[]} x""", "not valid JSON")]
    [InlineData("""{"model":"m","input":[],}""", "not valid JSON")]
    [InlineData("""[{"model":"m"}]""", "must be a JSON object")]
    [InlineData("""42""", "must be a JSON object")]
    [InlineData("", "empty")]
    [InlineData("""{"input":[]}""", "'model' is required")]
    [InlineData("""{"model":"","input":[]}""", "'model' must name a model")]
    [InlineData("""{"model":"m"}""", "'input' is required")]
    [InlineData("""{"model":"m","input":5}""", "'input' must be a string or a list")]
    [InlineData("""{"model":"m","input":[],"stream":"yes"}""", "'stream' must be true or false")]
    public void Patch_RefusesWhatAStrictParserMust(string body, string fragment)
    {
        using var output = new PooledBuffer(256);

        var (facts, error) = ResponsesRequestPatcher.Patch(Encoding.UTF8.GetBytes(body), output);

        Assert.Null(facts);
        Assert.Equal(400, error!.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void Patch_InvalidUtf8InAString_IsRefused()
    {
        byte[] body = [.. "{\"model\":\"m\",\"input\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        using var output = new PooledBuffer(256);

        var (facts, error) = ResponsesRequestPatcher.Patch(body, output);

        Assert.Null(facts);
        Assert.Contains("UTF-8", error!.Message);
    }

    [Fact]
    public void Patch_AHugeObject_IsCheckedForDuplicatesInLinearTime()
    {
        var keys = string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"\"k{i}\":{i}"));
        using var output = new PooledBuffer(1 << 20);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (_, unique) = ResponsesRequestPatcher.Patch(Encoding.UTF8.GetBytes("{\"model\":\"m\",\"input\":[],\"x\":{" + keys + "}}"), output);
        var (_, duplicate) = ResponsesRequestPatcher.Patch(Encoding.UTF8.GetBytes("{\"model\":\"m\",\"input\":[],\"x\":{" + keys + ",\"k5\":0}}"), output);

        Assert.Null(unique);
        Assert.Contains("'k5' appears twice", duplicate!.Message);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }

    /// <summary>Any member the Edge does not own passes through byte for byte, whatever JSON it holds.</summary>
    [Fact]
    public void Patch_UnknownMembers_PassThroughByteForByte()
    {
        JsonText.Value.Select(Gen.Int[1, 1000]).Sample(pair =>
        {
            var (value, suffix) = pair;
            var body = $$"""{"model":"m","input":[],"x_{{suffix}}":{{value}}}""";
            var (patched, _) = Patch(body);
            return patched == $$"""{"model":"m","input":[],"x_{{suffix}}":{{value}},"stream":true,"store":false}""";
        }, iter: 500);
    }

    private static (string Patched, ResponsesRequestFacts Facts) Patch(string body)
    {
        using var output = new PooledBuffer(256);
        var (facts, error) = ResponsesRequestPatcher.Patch(Encoding.UTF8.GetBytes(body), output);
        Assert.True(error is null, error?.Message);
        return (Encoding.UTF8.GetString(output.Span), facts!);
    }
}

/// <summary>Generators of JSON text as clients write it: odd number formats, escapes, non-ASCII, whitespace.</summary>
internal static class JsonText
{
    private static readonly Gen<string> Number = Gen.OneOf("0", "-0", "-0.0", "1.50", "1E+400", "1e-7", "123456789012345678901234567890", "3.14159", "-2E3");

    private static readonly Gen<string> StringText = Gen.OneOf<string>(
        Gen.Char["abcXYZ019 _-"].Array[0, 12].Select(chars => new string(chars)),
        Gen.OneOf("Grüße", "<b>&'+", "😀 ✓ 日本語", "\\u00e9\\u0041", "\\\"quoted\\\"", "\\/\\\\\\n\\t", "line\\r\\nbreak", "\\ud83d\\ude00"));

    private static readonly Gen<string> Space = Gen.OneOf("", " ", "\n  ", "\t");

    private static readonly Gen<string> Scalar = Gen.OneOf<string>(Number, StringText.Select(s => $"\"{s}\""), Gen.OneOf("true", "false", "null"));

    public static readonly Gen<string> Value = Gen.Recursive<string>((depth, value) => depth >= 3
        ? Scalar
        : Gen.Frequency(
            (3, Scalar),
            (1, Gen.Select(value.Array[0, 4], Space, (items, space) => "[" + space + string.Join("," + space, items) + space + "]")),
            (1, Gen.Select(value.Array[0, 4], Space, (items, space) =>
                "{" + space + string.Join("," + space, items.Select((v, i) => $"\"k{i}\"{space}:{space}{v}")) + space + "}"))));
}
