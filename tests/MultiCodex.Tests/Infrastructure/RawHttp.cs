using System.Net.Sockets;
using System.Text;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 on a bare socket, for requests no client library will send: invalid bytes in headers, unnormalised paths,
/// conflicting lengths, bodies that stall half-way. Reads the answer until the server closes (requests say
/// <c>Connection: close</c>), de-chunked. Every wait is bounded.
/// </summary>
public static class RawHttp
{
    /// <summary>An answer as it came off the wire.</summary>
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Text => Encoding.UTF8.GetString(Body);

        public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

        public override string ToString() => $"HTTP {Status}\n{string.Join("\n", Headers.Select(h => $"{h.Key}: {h.Value}"))}\n\n{Text}";
    }

    /// <summary>Sends <paramref name="parts"/> in order (a null part: stop sending and wait for the answer) and reads the answer.</summary>
    public static async Task<Response> SendAsync(Uri server, IReadOnlyList<byte[]?> parts, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, limit.Token);
        var stream = client.GetStream();
        try
        {
            foreach (var part in parts)
            {
                if (part is null)
                {
                    break;
                }
                await stream.WriteAsync(part, limit.Token);
                await stream.FlushAsync(limit.Token);
            }
        }
        catch (IOException)
        {
            // The server answered and closed before taking everything (a 413, a 431): read what it said.
        }
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, limit.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException) when (received.Length > 0)
        {
            // Reset after the answer (Kestrel closes hard after a bad request): what arrived is the answer.
        }
        return Parse(received.ToArray());
    }

    public static Task<Response> SendAsync(Uri server, byte[] request, CancellationToken cancellationToken = default) =>
        SendAsync(server, [request], TimeSpan.FromSeconds(30), cancellationToken);

    private static Response Parse(byte[] raw)
    {
        var end = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidDataException($"No HTTP answer, got {raw.Length} bytes: {Encoding.Latin1.GetString(raw)}");
        }
        var head = Encoding.Latin1.GetString(raw, 0, end).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':');
            var name = line[..colon].Trim().ToLowerInvariant();
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + line[(colon + 1)..].Trim() : line[(colon + 1)..].Trim();
        }
        var body = raw.AsSpan(end + 4).ToArray();
        if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }
        return new Response(status, headers, body);
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        var output = new MemoryStream();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }
            var size = Convert.ToInt32(Encoding.ASCII.GetString(chunked, at, lineEnd).Split(';')[0], 16);
            at += lineEnd + 2;
            if (size == 0)
            {
                break;
            }
            output.Write(chunked, at, Math.Min(size, chunked.Length - at));
            at += size + 2;
        }
        return output.ToArray();
    }
}
