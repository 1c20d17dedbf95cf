using System.Globalization;
using System.Net;

namespace Airlock.Server;

/// <summary>Parses <c>--listen</c>: <c>host:port</c>, <c>[v6]:port</c> or <c>http://host:port</c>.</summary>
public static class ListenAddress
{
    public static bool TryParse(string? text, out IPEndPoint? endpoint, out string? error)
    {
        endpoint = null;
        error = $"'{text}' is not an address to listen on; use host:port, like 127.0.0.1:7070";
        var s = (text ?? "").Trim();
        if (s.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) s = s["http://".Length..].TrimEnd('/');
        var colon = s.LastIndexOf(':');
        if (colon < 0) return false;
        var host = s[..colon].Trim('[', ']');
        if (!int.TryParse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535) return false;
        IPAddress? address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "" or "*" or "0.0.0.0" => IPAddress.Any,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        if (address is null) return false;
        endpoint = new IPEndPoint(address, port);
        error = null;
        return true;
    }
}
