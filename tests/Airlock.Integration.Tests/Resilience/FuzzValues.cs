using System.Globalization;
using System.Text;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// A seeded generator of hostile inputs: strings with NUL, unicode, path tricks and huge lengths; numbers past every
/// integer width; JSON that is truncated, mistyped or nested thousands deep. Same seed, same inputs: a failure
/// names its seed and replays. Every string that could become a file name carries <see cref="Marker"/>, so a
/// search of the host finds anything the daemon wrote where it must not.
/// </summary>
internal sealed class FuzzValues(int seed)
{
    public const string Marker = "zzfuzzmark";

    private static readonly string[] Tricky =
    [
        "", " ", "\0", "a\0b", "..", "../..", "/", "//", "/..", "/../../../../tmp", "%00", "%2e%2e%2f", "\\", "~", "*", "?", "#",
        "\u202e", "\ud83d\ude00", "\ufeff", "\u0000\u0001\u001f", "é", "名前", "\r\n", "\t", "'", "\"", "`", "$(id)", ";", "|", "&&",
        "null", "true", "-1", "0", "NaN", "Infinity", "1e309", "9223372036854775808", "-9223372036854775809", "0x7f", "1.5",
        "=", "k=v", "=v", "k=", "a=b=c", "@", "name@", "@1", "name@-1", "name@99999999999999999999", "sha256:", "sha256:zz",
    ];

    private static readonly string[] Paths =
    [
        "/workspace", "/workspace/x", "/", "/proc/self/root", "/proc/1/root/etc/shadow", "/etc/passwd", "/workspace/../../..",
        "/workspace/\0x", "relative", "./x", "/workspace/" + new string('a', 300), "/run/airlock/agent.sock", "/dev/null",
        "/sys/kernel/uevent_helper", "/workspace/link", "//workspace//x", "/workspace/.", "/tmp/" + Marker,
    ];

    private readonly Random _random = new(seed);

    public int Next(int max) => _random.Next(max);

    public bool Chance(int percent) => _random.Next(100) < percent;

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>A string meant to be hostile wherever a name, id, label, path or value goes.</summary>
    public string String() => _random.Next(9) switch
    {
        0 => Pick(Tricky),
        1 => Pick(Paths),
        2 => Marker + Pick(Tricky) + Marker,
        3 => new string(Pick("aZ9.-_/\0é".ToCharArray()), _random.Next(1, 5000)),
        4 => Marker + "-" + _random.Next(1000).ToString(CultureInfo.InvariantCulture),
        5 => RandomUnicode(_random.Next(1, 40)),
        6 => Convert.ToHexStringLower(BitConverter.GetBytes(_random.NextInt64())),
        7 => Pick(Paths) + "/" + Pick(Tricky),
        _ => new string('x', _random.Next(1, 70_000)),
    };

    /// <summary>Any JSON value, often of the wrong type for where it lands.</summary>
    public string JsonValue(int depth = 0) => _random.Next(depth > 3 ? 6 : 9) switch
    {
        0 => Quote(String()),
        1 => Number(),
        2 => Pick(new[] { "true", "false", "null" }),
        3 => Quote(Pick(new[] { "512m", "2g", "-1m", "99999999999t", "1.5", "30s", "-5m", "0", "1e9", "m", "10000000000000000000000h" })),
        4 => "[]",
        5 => "{}",
        6 => "[" + string.Join(",", Enumerable.Range(0, _random.Next(4)).Select(_ => JsonValue(depth + 1))) + "]",
        7 => "{" + string.Join(",", Enumerable.Range(0, _random.Next(4)).Select(_ => Quote(String()) + ":" + JsonValue(depth + 1))) + "}",
        _ => DeepNesting(),
    };

    public string Number() => _random.Next(8) switch
    {
        0 => "0",
        1 => "-1",
        2 => "9223372036854775807",
        3 => "9223372036854775808",
        4 => "-99999999999999999999999999999999",
        5 => "1e308",
        6 => "1.0000000000000000000001",
        _ => _random.NextInt64(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>An object with the route's real field names (when known) and hostile values, or a broken document.</summary>
    public string JsonBody(IReadOnlyList<string> fields)
    {
        var names = fields.Count > 0 && Chance(80) ? fields : ["command", "image", "memory", "scopes", "name", "steps", "signal", "policy", "labels", "env"];
        var body = "{" + string.Join(",", names.Where(_ => Chance(60)).Select(n => Quote(n) + ":" + JsonValue())) + (Chance(10) ? ",\"" + Marker + "\":1" : "") + "}";
        return _random.Next(10) switch
        {
            0 => body[..Math.Max(0, _random.Next(body.Length))],
            1 => DeepNesting(),
            2 => JsonValue(),
            3 => "{\"a\":" + body + ",}",
            4 => body.Replace(":", "=", StringComparison.Ordinal),
            5 => body + body,
            6 => "\uFEFF" + body,
            _ => body,
        };
    }

    /// <summary>YAML or JSON policy text: valid sections with hostile values, broken syntax, anchors, huge documents.</summary>
    public string PolicyText()
    {
        string[] sections = ["isolation", "limits", "network", "secrets", "files", "tools", "anomalies"];
        var sb = new StringBuilder();
        foreach (var section in sections.Where(_ => Chance(40)))
        {
            sb.Append(section).Append(": ").Append(_random.Next(6) switch
            {
                0 => JsonValue(),
                1 => "{ minimum: " + String().Replace("\n", " ", StringComparison.Ordinal) + " }",
                2 => "{ cpus: " + Number() + ", memory: " + Number() + ", exec_rate: " + Quote(String()) + " }",
                3 => "[ { path: " + Quote(String()) + ", access: " + Quote(Pick(new[] { "read-only", "hidden", "read-write", "x" })) + " } ]",
                4 => "{ deny: [ " + Quote(String()) + " ], approval: [ " + Quote(String()) + " ] }",
                _ => "[ { when: " + Quote(String()) + ", then: " + Quote(Pick(new[] { "pause", "kill", "revoke", "alert", "boom" })) + " } ]",
            }).Append('\n');
        }

        var text = sb.ToString();
        return _random.Next(8) switch
        {
            0 => text[..Math.Max(0, _random.Next(text.Length + 1))],
            1 => "a: &a [*a, *a]\nb: *a\n",
            2 => string.Concat(Enumerable.Repeat("- ", _random.Next(1, 3000))) + "x",
            3 => "{" + text,
            4 => "limits:\n\tcpus: 1\n",
            5 => JsonBody(sections),
            _ => text,
        };
    }

    public byte[] Bytes(int max)
    {
        var bytes = new byte[_random.Next(max)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string DeepNesting()
    {
        var depth = _random.Next(10, 20_000);
        var open = Chance(50) ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        return string.Concat(Enumerable.Repeat(open, depth)) + "1" + (Chance(50) ? string.Concat(Enumerable.Repeat(close, depth)) : "");
    }

    private string RandomUnicode(int length)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var code = _random.Next(0, 0x10FFFF);
            if (code is >= 0xD800 and <= 0xDFFF) code = _random.Next(0, 0xD800);
            sb.Append(char.ConvertFromUtf32(code));
        }

        return sb.ToString();
    }

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
