using System.Net;
using System.Net.Sockets;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>A loopback port nobody listens on right now, for a server that must come back on the same address.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
