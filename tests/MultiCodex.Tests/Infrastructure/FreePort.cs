using System.Net;
using System.Net.Sockets;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>A loopback port nobody listens on right now, for a server that must come back on the same address.</summary>
/// <remarks>
/// The port is taken below the kernel's ephemeral range. A port from that range (what binding port 0 returns) is free
/// only for a moment: while its server is down for a restart, any outgoing connection or any other test's port-0
/// listener may be given it, and the restarted server then fails with "address already in use". Below the range only
/// another call of this method can pick it, and each pick is random.
/// </remarks>
public static class FreePort
{
    private const int Lowest = 20_000;

    public static int Next()
    {
        var below = EphemeralRangeStart();
        for (var attempt = 0; attempt < 50 && below > Lowest; attempt++)
        {
            var port = Random.Shared.Next(Lowest, below);
            if (IsFree(port))
            {
                return port;
            }
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Linux names the range in /proc; elsewhere assume IANA's (49152–65535).
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49_152;
        }
    }
}
