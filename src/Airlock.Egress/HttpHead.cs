using System.Text;

namespace Airlock.Egress;

/// <summary>An HTTP/1.x request head: request line and headers, in order, as the client sent them.</summary>
internal sealed class HttpHead
{
    public required string Method { get; init; }

    public required string Target { get; set; }

    public required string Version { get; init; }

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public void Remove(string name) => Headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));

    public void Set(string name, string value)
    {
        Remove(name);
        Headers.Add(new(name, value));
    }

    /// <summary>Parses a head read by <see cref="PeekStream.ReadHeadAsync"/>; a malformed one is refused, never guessed at.</summary>
    public static HttpHead Parse(string text)
    {
        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw new EgressRefusedException("malformed", "not an HTTP/1.x request line");
        }

        var head = new HttpHead { Method = parts[0], Target = parts[1], Version = parts[2] };
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            // A header without a name or folded onto the previous line is how request smuggling starts: refuse it.
            if (colon <= 0 || line[0] is ' ' or '\t') throw new EgressRefusedException("malformed", "malformed HTTP header line");
            head.Headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }

        return head;
    }

    public byte[] Serialize()
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(Target).Append(' ').Append(Version).Append("\r\n");
        foreach (var (name, value) in Headers) text.Append(name).Append(": ").Append(value).Append("\r\n");
        text.Append("\r\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    /// <summary>Whether these bytes start like an HTTP request line (the transparent listener's sniff).</summary>
    public static bool LooksLikeRequest(ReadOnlySpan<byte> start)
    {
        var space = start.IndexOf((byte)' ');
        if (space <= 0 || space > 16) return false;
        foreach (var b in start[..space])
        {
            if (b is < (byte)'A' or > (byte)'Z') return false;
        }

        return true;
    }
}
