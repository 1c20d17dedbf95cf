using System.Text;
using Airlock.Policy;

namespace Airlock.Egress;

/// <summary>
/// What a visible request (plain HTTP, or HTTPS the gateway terminated) may carry out: no canary, no secret's real
/// value, and a secret's placeholder only to that secret's hosts — where it is replaced by the real value.
/// </summary>
internal static class RequestScanner
{
    /// <summary>Checks and rewrites a request in place; returns the names of secrets substituted. Refusals throw.</summary>
    public static List<string> Apply(EgressTenant tenant, string host, HttpHead head, ref byte[]? body)
    {
        var headBytes = head.Serialize();
        for (var i = 0; i < tenant.Canaries.Count; i++)
        {
            if (Contains(headBytes, body, tenant.Canaries[i]))
            {
                throw new EgressScanException("canary", $"canary#{i + 1}", null, "a canary token Airlock planted in the sandbox was sent out");
            }
        }

        foreach (var secret in tenant.Secrets)
        {
            if (Contains(headBytes, body, secret.Value))
            {
                // The sandbox never holds the value, so seeing it means it leaked some other way: stop it here too.
                throw new EgressScanException("secret-value", $"secret:{secret.Name}", secret.Name, $"the real value of secret {secret.Name} was sent out");
            }
        }

        var substituted = new List<string>();
        foreach (var secret in tenant.Secrets)
        {
            if (!Contains(headBytes, body, secret.Placeholder)) continue;
            if (!secret.Hosts.Any(h => EgressMatch.NamesHost(h, host)))
            {
                throw new EgressScanException("secret-placeholder", $"secret:{secret.Name}", secret.Name,
                    $"the placeholder of secret {secret.Name} may only be sent to {string.Join(", ", secret.Hosts.Select(h => h.Pattern))}, not {host}");
            }

            // Headers are Latin-1 on the wire; a value's UTF-8 bytes are carried over byte for byte.
            var value = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(secret.Value));
            head.Target = head.Target.Replace(secret.Placeholder, value, StringComparison.Ordinal);
            for (var i = 0; i < head.Headers.Count; i++)
            {
                var h = head.Headers[i];
                head.Headers[i] = new(h.Key, h.Value.Replace(secret.Placeholder, value, StringComparison.Ordinal));
            }

            if (body is not null) body = Replace(body, Encoding.UTF8.GetBytes(secret.Placeholder), Encoding.UTF8.GetBytes(secret.Value));
            substituted.Add(secret.Name);
        }

        return substituted;
    }

    private static bool Contains(byte[] head, byte[]? body, string needle)
    {
        if (needle.Length == 0) return false;
        var bytes = Encoding.UTF8.GetBytes(needle);
        return head.AsSpan().IndexOf(bytes) >= 0 || (body is not null && body.AsSpan().IndexOf(bytes) >= 0);
    }

    private static byte[] Replace(byte[] data, byte[] needle, byte[] replacement)
    {
        var output = new MemoryStream(data.Length);
        var rest = data.AsSpan();
        int at;
        while ((at = rest.IndexOf(needle)) >= 0)
        {
            output.Write(rest[..at]);
            output.Write(replacement);
            rest = rest[(at + needle.Length)..];
        }

        output.Write(rest);
        return output.ToArray();
    }
}
