using Airlock.Client.Wire;

namespace Airlock.Client;

/// <summary>The code interpreter over <c>/v1/sandboxes/{id}/code</c>: the daemon runs the cell through its governed stage.</summary>
internal sealed partial class HttpSandboxOperations : ICodeOperations
{
    public Task<CodeResult> RunCodeAsync(string sandboxId, CodeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new CodeBody
        {
            Code = request.Code,
            Language = request.Language,
            Timeout = request.Timeout is { } timeout ? WireFormat.Duration(timeout) : null,
        };
        return daemon.SendJsonAsync<CodeResult>(daemon.Request(HttpMethod.Post, Sandbox(sandboxId) + "/code", DaemonConnection.Json(body)), cancellationToken);
    }

    public Task InterruptAsync(string sandboxId, string language = CodeLanguages.Python, CancellationToken cancellationToken = default) =>
        daemon.SendNoContentAsync(daemon.Request(HttpMethod.Post, Sandbox(sandboxId) + "/code/interrupt", DaemonConnection.Json(new CodeLanguageBody(language))), cancellationToken);

    public Task RestartAsync(string sandboxId, string language = CodeLanguages.Python, CancellationToken cancellationToken = default) =>
        daemon.SendNoContentAsync(daemon.Request(HttpMethod.Post, Sandbox(sandboxId) + "/code/restart", DaemonConnection.Json(new CodeLanguageBody(language))), cancellationToken);
}
