using System.Text.Json;
using Airlock.Access;

namespace Airlock.Server.Http;

/// <summary>The JSON bodies of the API, parsed into the typed requests of <see cref="ISandboxOperations"/>.</summary>
internal static class RequestBodies
{
    private static readonly string[] CreateFields = ["image", "isolation", "cpus", "memory", "pids", "disk", "timeout", "env", "labels", "policy"];
    private static readonly string[] ExecFields = ["command", "env", "cwd", "timeout", "stdin"];
    private static readonly string[] Isolations = ["auto", "container", "gvisor", "microvm"];

    public static SandboxSpec CreateSandbox(JsonElement body)
    {
        JsonFields.RejectUnknown(body, CreateFields);
        var spec = new SandboxSpec
        {
            Limits = new ResourceLimits
            {
                Cpus = JsonFields.PositiveNumber(body, "cpus"),
                MemoryBytes = JsonFields.Size(body, "memory"),
                Pids = JsonFields.PositiveInt(body, "pids"),
                DiskBytes = JsonFields.Size(body, "disk"),
            },
            Ttl = JsonFields.Duration(body, "timeout"),
            Env = JsonFields.StringMap(body, "env") ?? new Dictionary<string, string>(),
            Labels = JsonFields.StringMap(body, "labels") ?? new Dictionary<string, string>(),
        };
        if (JsonFields.String(body, "image") is { } image)
        {
            if (image.Length == 0) throw AirlockException.Invalid("'image' must not be empty; leave it out for the default image (python)");
            spec = spec with { Image = image };
        }

        if (JsonFields.String(body, "isolation") is { } isolation)
        {
            if (!Isolations.Contains(isolation)) throw AirlockException.Invalid($"'isolation' must be one of {string.Join(", ", Isolations)}, not '{isolation}'");
            spec = spec with { Isolation = isolation };
        }

        // A policy document: as text (YAML or JSON, as a policy file holds it) or as a JSON object of the same schema.
        if (body.TryGetProperty("policy", out var policy) && policy.ValueKind != JsonValueKind.Null)
        {
            spec = spec with
            {
                Policy = policy.ValueKind switch
                {
                    JsonValueKind.String => policy.GetString(),
                    JsonValueKind.Object => policy.GetRawText(),
                    _ => throw AirlockException.Invalid("'policy' must be a policy document: an object, or YAML/JSON text"),
                },
            };
        }

        return spec;
    }

    public static ExecRequest Exec(JsonElement body)
    {
        JsonFields.RejectUnknown(body, ExecFields);
        var command = JsonFields.StringList(body, "command");
        if (command is null || command.Count == 0) throw AirlockException.Invalid("'command' is required: the program and its arguments, e.g. [\"python3\", \"-c\", \"print(1)\"]");
        if (command[0].Length == 0) throw AirlockException.Invalid("'command[0]' must name a program");
        var stdin = JsonFields.Base64(body, "stdin");
        return new ExecRequest
        {
            Command = command,
            Env = JsonFields.StringMap(body, "env") ?? new Dictionary<string, string>(),
            Cwd = JsonFields.String(body, "cwd"),
            Timeout = JsonFields.Duration(body, "timeout"),
            Stdin = stdin is null ? null : new MemoryStream(stdin, writable: false),
        };
    }

    public static CodeRequest Code(JsonElement body)
    {
        JsonFields.RejectUnknown(body, ["code", "language", "timeout"]);
        var code = JsonFields.String(body, "code");
        if (string.IsNullOrWhiteSpace(code)) throw AirlockException.Invalid("'code' is required: the Python code of one cell, e.g. {\"code\": \"x = 21\"}");
        return new CodeRequest
        {
            Code = code,
            Language = CodeLanguage(body),
            Timeout = JsonFields.Duration(body, "timeout"),
        };
    }

    public static string CodeLanguage(JsonElement body)
    {
        if (body.TryGetProperty("code", out _)) JsonFields.RejectUnknown(body, ["code", "language", "timeout"]);
        else JsonFields.RejectUnknown(body, ["language"]);
        var language = JsonFields.String(body, "language") ?? CodeLanguages.Python;
        if (language != CodeLanguages.Python) throw AirlockException.Invalid($"unknown language '{language}': the code interpreter speaks '{CodeLanguages.Python}'");
        return language;
    }

    public static int Signal(JsonElement body)
    {
        JsonFields.RejectUnknown(body, ["signal"]);
        var signal = JsonFields.Int(body, "signal") ?? throw AirlockException.Invalid("'signal' is required: a signal number like 15 (SIGTERM) or 9 (SIGKILL)");
        if (signal is < 1 or > 64) throw AirlockException.Invalid($"'signal' must be a signal number from 1 to 64, not {signal}");
        return signal;
    }

    public static (string Name, IReadOnlyList<string> Packages) BuildImage(JsonElement body)
    {
        JsonFields.RejectUnknown(body, ["name", "packages"]);
        var name = JsonFields.String(body, "name");
        if (string.IsNullOrWhiteSpace(name)) throw AirlockException.Invalid("'name' is required: the image name, e.g. \"python\"");
        var packages = JsonFields.StringList(body, "packages") ?? [];
        return (name, packages);
    }

    public static TokenRequest MintToken(JsonElement body)
    {
        JsonFields.RejectUnknown(body, ["name", "scopes", "sandbox", "labels", "ttl"]);
        return new TokenRequest
        {
            Name = JsonFields.String(body, "name"),
            Scopes = JsonFields.StringList(body, "scopes") ?? throw AirlockException.Invalid($"'scopes' is required: an array like [\"files:read\"]; known scopes: {string.Join(", ", Scopes.All)}"),
            Sandbox = JsonFields.String(body, "sandbox"),
            Labels = JsonFields.StringMap(body, "labels"),
            Ttl = JsonFields.Duration(body, "ttl"),
        };
    }
}
