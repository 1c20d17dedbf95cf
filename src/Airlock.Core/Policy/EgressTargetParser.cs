using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>
/// Parses <c>network.allow</c> entries and secret hosts: <c>pypi.org</c>, <c>*.pythonhosted.org</c>,
/// <c>api.stripe.com:443</c>, <c>203.0.113.0/24</c>, <c>203.0.113.7:5432</c>, <c>203.0.113.0/24:443</c>,
/// <c>2001:db8::/32</c>, <c>[2001:db8::1]:443</c>. Strict, because an entry the
/// gateway would read differently from its author is a hole or an outage.
/// </summary>
internal static partial class EgressTargetParser
{
    private const int MaxHostLength = 253;

    public static bool TryParse(string text, bool allowNetworks, out EgressTarget? target, out string? error)
    {
        target = null;
        error = null;
        if (text.Length == 0)
        {
            error = "empty; write a host name like pypi.org";
            return false;
        }

        if (SplitAddressPort(text) is var (networkText, portText))
        {
            if (!allowNetworks)
            {
                error = $"'{text}' is an address; secrets go to host names only, because the gateway matches them by name";
                return false;
            }

            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                error = $"'{text}': '{portText}' is not a port; use 1-65535, as in 203.0.113.0/24:443";
                return false;
            }

            if (!TryParseNetwork(networkText, out target, out error)) return false;
            target = target! with { Pattern = text, Port = port };
            return true;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (LooksLikeAddress(slash < 0 ? text : text[..slash]))
        {
            if (!allowNetworks)
            {
                error = $"'{text}' is an address; secrets go to host names only, because the gateway matches them by name";
                return false;
            }

            return TryParseNetwork(text, out target, out error);
        }

        if (slash >= 0)
        {
            error = $"'{text}' is not a host name; write the name alone, without a scheme or path (e.g. pypi.org)";
            return false;
        }

        return TryParseHost(text, out target, out error);
    }

    private static bool TryParseHost(string text, out EgressTarget? target, out string? error)
    {
        target = null;
        int? port = null;
        var host = text;
        var colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            host = text[..colon];
            var portText = text[(colon + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                error = $"'{portText}' in '{text}' is not a port; use 1-65535, as in api.stripe.com:443";
                return false;
            }

            port = p;
        }

        var kind = EgressTargetKind.Domain;
        if (host.StartsWith("*.", StringComparison.Ordinal))
        {
            kind = EgressTargetKind.DomainSuffix;
            host = host[2..];
        }

        if (host == "*")
        {
            error = $"'{text}' would allow every host; list the hosts (egress is denied unless allowed)";
            return false;
        }

        if (host.Contains('*', StringComparison.Ordinal))
        {
            error = $"'{text}': '*' may appear only once, as the whole first label, as in *.example.com (which also matches deeper names)";
            return false;
        }

        if (kind == EgressTargetKind.DomainSuffix && !host.Contains('.', StringComparison.Ordinal))
        {
            error = $"'{text}' would allow a whole top-level domain; name a domain under it, like *.example.org";
            return false;
        }

        if (!IsHostName(host, out error))
        {
            error = $"'{text}' is not a host name: {error}";
            return false;
        }

        target = new EgressTarget { Pattern = text, Kind = kind, Host = host.ToLowerInvariant(), Port = port };
        return true;
    }

    private static bool IsHostName(string host, out string? error)
    {
        error = null;
        if (host.Any(c => !char.IsAscii(c))) error = "write an international name in its xn-- (punycode) form";
        else if (host.Length > MaxHostLength) error = $"longer than {MaxHostLength} characters";
        else if (!host.Contains('.', StringComparison.Ordinal)) error = "write the full name, with its domain (e.g. pypi.org)";
        else if (host.Split('.').FirstOrDefault(l => !Label().IsMatch(l)) is { } label)
        {
            error = label.Length == 0 ? "it has an empty label (two dots, or a dot at an end)" : $"'{label}' is not a DNS label (letters, digits and inner hyphens, at most 63)";
        }
        else if (host.Split('.')[^1].All(char.IsAsciiDigit)) error = "its last label is a number (a mistyped address?)";

        return error is null;
    }

    private static bool TryParseNetwork(string text, out EgressTarget? target, out string? error)
    {
        target = null;
        error = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address))
        {
            error = $"'{text}' is not an address or CIDR range (like 203.0.113.0/24, 2001:db8::/32 or, with a port, 203.0.113.0/24:443 and [2001:db8::1]:443)";
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            error = $"'{text}' has a bad prefix length; use /0 to /{bits}";
            return false;
        }

        var network = new IPNetwork(Masked(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
        {
            // Usually a typo for the range the author meant; accepting it silently would widen or shift the range.
            error = $"'{text}' has bits set after the /{prefix} prefix; did you mean {network}?";
            return false;
        }

        target = new EgressTarget { Pattern = text, Kind = EgressTargetKind.Network, Network = network };
        return true;
    }

    private static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        // IPAddress.TryParse also takes inet_aton forms ("10.1", "0x7f.1") and zone ids; a policy gets dotted quads and plain IPv6.
        var shapeOk = text.Contains(':', StringComparison.Ordinal) ? Ipv6Shape().IsMatch(text) : Ipv4Shape().IsMatch(text);
        return shapeOk && IPAddress.TryParse(text, out address!);
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    /// <summary>
    /// An address or range with a port: IPv4 as <c>A.B.C.D[/N]:PORT</c>, IPv6 in brackets as <c>[ADDR][/N]:PORT</c>
    /// (unbracketed IPv6 takes no port: its last group would read as one). Null when the entry has no such port.
    /// </summary>
    private static (string Network, string Port)? SplitAddressPort(string text)
    {
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            var colon = text.LastIndexOf(':');
            if (close < 0 || colon < close || text[colon - 1] == ':') return null;
            var suffix = text[(close + 1)..colon];
            return (text[1..close] + suffix, text[(colon + 1)..]);
        }

        var last = text.LastIndexOf(':');
        if (last < 0 || text.IndexOf(':', StringComparison.Ordinal) != last) return null;
        var before = text[..last];
        var slash = before.IndexOf('/', StringComparison.Ordinal);
        return Ipv4Shape().IsMatch(slash < 0 ? before : before[..slash]) ? (before, text[(last + 1)..]) : null;
    }

    private static bool LooksLikeAddress(string text) =>
        Ipv4Shape().IsMatch(text) || text.Count(c => c == ':') >= 2;

    [GeneratedRegex("^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)\\z")]
    private static partial Regex Label();

    [GeneratedRegex("^[0-9]{1,3}(?:\\.[0-9]{1,3}){3}\\z")]
    private static partial Regex Ipv4Shape();

    [GeneratedRegex("^[0-9A-Fa-f:.]+\\z")]
    private static partial Regex Ipv6Shape();
}
