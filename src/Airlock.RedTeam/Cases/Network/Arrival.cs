using System.Text.Json;

namespace Airlock.RedTeam.Cases.Network;

/// <summary>One line of the battery internet's arrivals log: what reached which of its listeners.</summary>
internal sealed record Arrival(string Kind, string Local, string Host, string Sni, string Path, string Text)
{
    /// <summary>The Host header's name, without a port.</summary>
    public string HostName => Host.StartsWith('[') ? Host : Host.Split(':')[0].ToLowerInvariant();

    public static Arrival From(JsonElement line)
    {
        string Field(string name) => line.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        return new Arrival(Field("kind"), Field("local"), Field("host"), Field("sni"), Field("path"), line.GetRawText());
    }

    public override string ToString() => Kind is "http" or "https"
        ? $"{Kind} request at {Local} (Host '{Host}', SNI '{Sni}', {Path})"
        : $"{Kind} at {(Local.Length > 0 ? Local : "the internet")} ({(Text.Length > 120 ? Text[..120] : Text)})";
}
