using System.Text.Json.Nodes;

namespace MultiCodex.Tests.Edge.Chat;

/// <summary>Structural JSON equality (property order ignored), with both documents in the failure message.</summary>
internal static class JsonAssert
{
    public static void Equal(string expected, JsonNode? actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        if (!JsonNode.DeepEquals(expectedNode, actual))
        {
            Assert.Fail($"JSON differs.\nExpected: {expectedNode?.ToJsonString()}\nActual:   {actual?.ToJsonString() ?? "null"}");
        }
    }
}
