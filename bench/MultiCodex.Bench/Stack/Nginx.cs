using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MultiCodex.Bench.Stack;

/// <summary>
/// nginx as the reference: Debian's stock build, configured as a plain streaming reverse proxy in front of the
/// same fake upstream — <c>proxy_pass</c> to a keep-alive upstream, <c>proxy_buffering off</c>, a request-body
/// buffer large enough that 1 MB bodies stay in memory (as they do in the Edge), access log on (as the Edge
/// writes one line per request). Everything else is nginx's default.
/// </summary>
internal static class Nginx
{
    public static string? Binary => Tools.Find("nginx");

    public static async Task<(ChildProcess Process, Uri Url)> StartAsync(string binary, string dir, Uri upstream)
    {
        Directory.CreateDirectory(dir);
        var port = FreePort();
        var config = Path.Combine(dir, "nginx.conf");
        await File.WriteAllTextAsync(config, Config(dir, upstream, port));
        var process = ChildProcess.Start("nginx", binary, ["-p", dir + "/", "-c", config, "-e", Path.Combine(dir, "error.log"), "-g", "daemon off;"],
            new Dictionary<string, string>(), Path.Combine(dir, "nginx.out"));
        var url = new Uri($"http://127.0.0.1:{port}");
        await WaitForPortAsync(process, port);
        return (process, url);
    }

    private static string Config(string dir, Uri upstream, int port) => string.Create(CultureInfo.InvariantCulture, $$"""
        # Written by the MultiCodex benchmark (bench/MultiCodex.Bench/Stack/Nginx.cs).
        worker_processes auto;
        pid {{dir}}/nginx.pid;
        error_log {{dir}}/error.log warn;
        events {
            worker_connections 16384;
        }
        http {
            access_log {{dir}}/access.log;
            client_body_temp_path {{dir}}/client_body;
            proxy_temp_path {{dir}}/proxy;
            fastcgi_temp_path {{dir}}/fastcgi;
            uwsgi_temp_path {{dir}}/uwsgi;
            scgi_temp_path {{dir}}/scgi;
            upstream fake_chatgpt {
                server {{upstream.Host}}:{{upstream.Port}};
                keepalive 256;
            }
            server {
                listen 127.0.0.1:{{port}} backlog=4096;
                client_max_body_size 64m;
                client_body_buffer_size 2m;
                location / {
                    proxy_pass http://fake_chatgpt;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_buffering off;
                    proxy_read_timeout 300s;
                }
            }
        }
        """);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(ChildProcess process, int port)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("nginx exited at start: " + File.ReadAllText(Path.Combine(Path.GetDirectoryName(process.LogPath)!, "error.log")));
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"nginx did not listen on port {port} within 10 s");
    }
}
