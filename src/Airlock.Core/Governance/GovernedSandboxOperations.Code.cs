using Airlock.Core.Code;

namespace Airlock.Core.Governance;

/// <summary>
/// The code interpreter over this governed stage: each cell is an exec of <c>airlock-code run</c> through
/// <see cref="ExecStreamAsync"/>, so policy, approval, <c>limits.exec_rate</c> and audit apply to it unchanged.
/// A <c>Sandbox</c> handle over these operations finds its <c>RunCodeAsync</c> here.
/// </summary>
public sealed partial class GovernedSandboxOperations : ICodeOperations
{
    private CodeInterpreter? _code;

    private CodeInterpreter Code => _code ??= new CodeInterpreter(this);

    public Task<CodeResult> RunCodeAsync(string sandboxId, CodeRequest request, CancellationToken cancellationToken = default) =>
        Code.RunCodeAsync(sandboxId, request, cancellationToken);

    public Task InterruptAsync(string sandboxId, string language = CodeLanguages.Python, CancellationToken cancellationToken = default) =>
        Code.InterruptAsync(sandboxId, language, cancellationToken);

    public Task RestartAsync(string sandboxId, string language = CodeLanguages.Python, CancellationToken cancellationToken = default) =>
        Code.RestartAsync(sandboxId, language, cancellationToken);
}
