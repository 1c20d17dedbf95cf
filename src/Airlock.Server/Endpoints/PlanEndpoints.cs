using System.Text.Json;
using Airlock.Client.Wire;
using Airlock.Core.Governance;
using Airlock.Core.Policy.Decisions;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary><c>POST /v1/sandboxes/{id}/plan</c>: the policy's verdict on each intended step, before anything runs.</summary>
internal static class PlanEndpoints
{
    private static readonly string[] BodyFields = ["steps"];
    private static readonly string[] StepFields = ["exec", "read", "write", "delete", "network"];
    private const int MaxSteps = 1000;

    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapPost("/sandboxes/{id}/plan", async (string id, HttpContext context, GovernedSandboxOperations governance) =>
        {
            using var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes);
            var steps = Steps(body.RootElement);
            var decisions = await governance.VetPlanAsync(id, steps, context.RequestAborted);
            var result = steps.Select((step, i) => new PlanStepDecision
            {
                Step = i,
                Action = step.Describe(),
                Decision = decisions[i].VerdictName,
                Rule = decisions[i].Rule,
                Reason = decisions[i].Reason,
            }).ToList();
            return Results.Json(new PlanResult(result), AirlockJson.Options);
        })
            .WithName("VetPlan")
            .WithDescription("Judges each step (exec argv, file read/write/delete, network host) against the sandbox's policy: allow, deny or needs-approval, with the rule")
            .Accepts<PlanBody>("application/json")
            .Produces<PlanResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static List<PolicyAction> Steps(JsonElement body)
    {
        JsonFields.RejectUnknown(body, BodyFields);
        if (!JsonFields.TryGet(body, "steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
        {
            throw AirlockException.Invalid("'steps' must be an array of steps like {\"exec\": [\"git\", \"push\"]}, {\"write\": \"/workspace/a\"}, {\"network\": \"pypi.org:443\"}");
        }

        if (steps.GetArrayLength() > MaxSteps) throw AirlockException.Invalid($"a plan has at most {MaxSteps} steps");
        var actions = new List<PolicyAction>();
        foreach (var (step, index) in steps.EnumerateArray().Select((s, i) => (s, i)))
        {
            if (step.ValueKind != JsonValueKind.Object) throw AirlockException.Invalid($"steps[{index}] must be an object with one of: {string.Join(", ", StepFields)}");
            var names = step.EnumerateObject().Select(p => p.Name).ToList();
            if (names.Count != 1 || !StepFields.Contains(names[0]))
            {
                throw AirlockException.Invalid($"steps[{index}] must have exactly one of: {string.Join(", ", StepFields)}");
            }

            actions.Add(names[0] switch
            {
                "exec" => new ExecAction(ExecArgv(step, index)),
                "network" => Network(JsonFields.String(step, "network") ?? "", index),
                var op => new FileAction(Enum.Parse<FileOperation>(op, ignoreCase: true), SandboxPath(JsonFields.String(step, op), index)),
            });
        }

        return actions;
    }

    private static IReadOnlyList<string> ExecArgv(JsonElement step, int index)
    {
        var argv = JsonFields.StringList(step, "exec");
        return argv is { Count: > 0 } ? argv : throw AirlockException.Invalid($"steps[{index}].exec must be a non-empty argv array, like [\"git\", \"push\"]");
    }

    private static string SandboxPath(string? path, int index) =>
        path is { Length: > 0 } && path.StartsWith('/') && !path.Contains('\0', StringComparison.Ordinal)
            ? path
            : throw AirlockException.Invalid($"steps[{index}] needs an absolute path inside the sandbox, like /workspace/out.txt");

    private static NetworkAction Network(string target, int index)
    {
        var colon = target.LastIndexOf(':');
        if (colon > 0 && !target.EndsWith(']') && target.Count(c => c == ':') == 1)
        {
            if (!int.TryParse(target[(colon + 1)..], out var port) || port is < 1 or > 65535)
            {
                throw AirlockException.Invalid($"steps[{index}].network: '{target[(colon + 1)..]}' is not a port (1-65535)");
            }

            return new NetworkAction(Host(target[..colon], index), port);
        }

        return new NetworkAction(Host(target, index));
    }

    private static string Host(string host, int index) =>
        host.Length is > 0 and <= 253 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']' or '_')
            ? host
            : throw AirlockException.Invalid($"steps[{index}].network must be a host name or address, optionally with :port, like pypi.org:443");
}
